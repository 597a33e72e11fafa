/** Context URLs the product emits. Ours are immutable per URL: a change is a new version (v2, v3 …). */
export const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
export const VC_V1 = 'https://www.w3.org/2018/credentials/v1';
export const OB_V3 = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
export const TANDA_V1 = 'https://tanda.example/contexts/v1';
export const DATA_INTEGRITY_V2 = 'https://w3id.org/security/data-integrity/v2';
export const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
export const DID_V1 = 'https://www.w3.org/ns/did/v1';
export const STATUS_LIST_V1 = 'https://www.w3.org/ns/credentials/status/v1';

/** `contexts/` stores each context in a file named after its URL: scheme dropped, `/` → `_`, `.json` added. */
export function contextFileName(url: string): string {
  const bare = url.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  const name = bare.replace(/\//g, '_');
  return name.endsWith('.json') ? name : `${name}.json`;
}
