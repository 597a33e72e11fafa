/**
 * The MUST statements of the W3C VC Data Model 2.0 (§4 Basic Concepts, §5 Advanced Concepts) that a credential can
 * break before it is secured, as data: each violation names the rule (the ids are the rows of docs/conformance.md).
 * Browser-safe (no Node API): the issuer refuses a credential that breaks one, the verifier reports them.
 */

export interface Violation {
  /** Stable rule id, e.g. `vcdm2.id.url` (docs/conformance.md lists each with its test). */
  rule: string;
  /** JSON pointer to the offending value. */
  path: string;
  message: string;
}

/** The bytes of a resource this process holds (bundled contexts), to check a relatedResource digest offline. */
export type ResourceBytes = (url: string) => Uint8Array | undefined;

const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const VC_V1 = 'https://www.w3.org/2018/credentials/v1';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/** An absolute URL (RFC 3986 scheme + rest): what the data model calls a URL; `urn:uuid:` and DIDs are URLs here. */
export function isUrl(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** XML Schema `dateTimeStamp`: a dateTime with a mandatory time-zone offset. */
const DATE_TIME_STAMP = /^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$/;
export const isDateTimeStamp = (v: unknown): v is string => typeof v === 'string' && DATE_TIME_STAMP.test(v) && !Number.isNaN(Date.parse(v));

/** A type value: one or more terms or absolute URLs (strings). */
const isTypeValue = (v: unknown): boolean => {
  const list = asList(v);
  return list.length > 0 && list.every((t) => typeof t === 'string' && t.length > 0 && !/\s/.test(t));
};

/** `name` / `description`: a string, a language value object, or a list of them (§11.1). */
const isLanguageValue = (v: unknown): boolean =>
  asList(v).every(
    (x) =>
      typeof x === 'string' ||
      (isObject(x) &&
        typeof x['@value'] === 'string' &&
        Object.keys(x).every((k) => k === '@value' || k === '@language' || k === '@direction') &&
        (x['@language'] === undefined || typeof x['@language'] === 'string') &&
        (x['@direction'] === undefined || x['@direction'] === 'ltr' || x['@direction'] === 'rtl')),
  );

/** Properties whose objects MUST each carry a `type` (§4.5 table), and the extra rules some of them have. */
const TYPED_PROPERTIES = ['credentialStatus', 'credentialSchema', 'refreshService', 'termsOfUse', 'evidence'] as const;

/**
 * The rules an unsecured credential breaks, empty when it conforms. VC 1.1 input (first context
 * `https://www.w3.org/2018/credentials/v1`) is still accepted by the issuer and checked by the same rules, with
 * `issuanceDate`/`expirationDate` in place of `validFrom`/`validUntil`.
 */
export function dataModelViolations(credential: unknown): Violation[] {
  const out: Violation[] = [];
  const add = (rule: string, path: string, message: string) => out.push({ rule, path, message });
  if (!isObject(credential)) {
    add('vcdm2.credential.object', '', 'a credential is a JSON object');
    return out;
  }

  // §4.3 Contexts
  const ctx = credential['@context'];
  if (ctx === undefined) add('vcdm2.context.present', '/@context', '"@context" is required');
  else if (!Array.isArray(ctx) || ctx.length === 0) add('vcdm2.context.ordered-set', '/@context', '"@context" must be an ordered set (a JSON array)');
  else {
    if (ctx[0] !== VC_V2 && ctx[0] !== VC_V1) add('vcdm2.context.first', '/@context/0', `the first context must be ${VC_V2}`);
    ctx.slice(1).forEach((c, i) => {
      if (!(isUrl(c) || isObject(c))) add('vcdm2.context.items', `/@context/${i + 1}`, 'every further context must be a URL or a context object');
    });
  }
  const v1 = Array.isArray(ctx) && ctx[0] === VC_V1;

  // §4.4 Identifiers: on the credential and on every object the data model names.
  const checkId = (value: Record<string, unknown>, path: string, required = false) => {
    if (!('id' in value)) {
      if (required) add('vcdm2.id.required', `${path}/id`, `"${path || '/'}" needs an "id"`);
      return;
    }
    if (!isUrl(value.id)) add('vcdm2.id.url', `${path}/id`, `"id" must be a single URL, not ${JSON.stringify(value.id)}`);
  };
  checkId(credential, '');

  // §4.5 Types
  if (credential.type === undefined) add('vcdm2.type.present', '/type', '"type" is required');
  else if (!isTypeValue(credential.type)) add('vcdm2.type.values', '/type', '"type" must be one or more terms or URLs');
  else if (!asList(credential.type).includes('VerifiableCredential')) add('vcdm2.type.vc', '/type', '"type" must include VerifiableCredential');

  // §4.6 Names and descriptions
  for (const key of ['name', 'description'] as const) {
    if (credential[key] !== undefined && !isLanguageValue(credential[key])) {
      add(`vcdm2.${key}.value`, `/${key}`, `"${key}" must be a string or a language value object`);
    }
  }

  // §4.7 Issuer
  const issuer = credential.issuer;
  if (!('issuer' in credential)) add('vcdm2.issuer.present', '/issuer', '"issuer" is required');
  else if (typeof issuer === 'string') {
    if (!isUrl(issuer)) add('vcdm2.issuer.url', '/issuer', `"issuer" must be a URL, not ${JSON.stringify(issuer)}`);
  } else if (isObject(issuer)) {
    if (!isUrl(issuer.id)) add('vcdm2.issuer.url', '/issuer/id', `"issuer.id" must be a URL, not ${JSON.stringify(issuer.id)}`);
    for (const key of ['name', 'description'] as const) {
      if (issuer[key] !== undefined && !isLanguageValue(issuer[key])) add(`vcdm2.${key}.value`, `/issuer/${key}`, `"issuer.${key}" must be a string or a language value object`);
    }
  } else add('vcdm2.issuer.url', '/issuer', `"issuer" must be a URL or an object with an "id" URL, not ${JSON.stringify(issuer)}`);

  // §4.8 Credential subject
  const subject = credential.credentialSubject;
  if (subject === undefined) add('vcdm2.subject.present', '/credentialSubject', '"credentialSubject" is required');
  else {
    const subjects = asList(subject);
    if (subjects.length === 0) add('vcdm2.subject.claims', '/credentialSubject', '"credentialSubject" must hold at least one subject');
    subjects.forEach((s, i) => {
      const path = Array.isArray(subject) ? `/credentialSubject/${i}` : '/credentialSubject';
      if (!isObject(s)) add('vcdm2.subject.object', path, 'each credential subject must be an object');
      else {
        checkId(s, path);
        if (Object.keys(s).filter((k) => k !== 'id').length === 0) add('vcdm2.subject.claims', path, 'each credential subject must make at least one claim');
      }
    });
  }

  // §4.9 Validity period (and VC 1.1's names for it)
  const from = v1 ? 'issuanceDate' : 'validFrom';
  const until = v1 ? 'expirationDate' : 'validUntil';
  if (v1 && credential.issuanceDate === undefined) add('vcdm11.issuanceDate.present', '/issuanceDate', 'a VC 1.1 credential needs "issuanceDate"');
  for (const key of [from, until]) {
    if (credential[key] !== undefined && !isDateTimeStamp(credential[key])) {
      add(`vcdm2.${key === from ? 'validFrom' : 'validUntil'}.datetime`, `/${key}`, `"${key}" must be a dateTimeStamp (date, time and offset), not ${JSON.stringify(credential[key])}`);
    }
  }
  if (isDateTimeStamp(credential[from]) && isDateTimeStamp(credential[until]) && Date.parse(credential[from]) > Date.parse(credential[until])) {
    add('vcdm2.validity.order', `/${until}`, `"${until}" must not be earlier than "${from}"`);
  }

  // §4.10 status, §4.11 schemas, §5.4 refresh, §5.5 terms of use, §5.6 evidence: objects with a type (and ids).
  for (const key of TYPED_PROPERTIES) {
    const value = credential[key];
    if (value === undefined) continue;
    const list = asList(value);
    if (list.length === 0) add(`vcdm2.${key}.object`, `/${key}`, `"${key}" must hold at least one object`);
    list.forEach((item, i) => {
      const path = Array.isArray(value) ? `/${key}/${i}` : `/${key}`;
      if (!isObject(item)) {
        add(`vcdm2.${key}.object`, path, `each "${key}" value must be an object`);
        return;
      }
      if (item.type === undefined) add(`vcdm2.${key}.type`, `${path}/type`, `each "${key}" object must have a "type"`);
      else if (!isTypeValue(item.type)) add('vcdm2.type.values', `${path}/type`, '"type" must be one or more terms or URLs');
      checkId(item, path, key === 'credentialSchema');
    });
  }

  // §5.3 Integrity of related resources
  const related = credential.relatedResource;
  if (related !== undefined) {
    const list = asList(related);
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const path = Array.isArray(related) ? `/relatedResource/${i}` : '/relatedResource';
      if (!isObject(item)) {
        add('vcdm2.relatedResource.object', path, 'each "relatedResource" value must be an object');
        return;
      }
      checkId(item, path, true);
      if (typeof item.id === 'string') {
        if (seen.has(item.id)) add('vcdm2.relatedResource.unique', `${path}/id`, `the related resource ${item.id} is listed twice`);
        seen.add(item.id);
      }
      if (item.digestSRI === undefined && item.digestMultibase === undefined) {
        add('vcdm2.relatedResource.digest', path, 'each related resource needs a "digestSRI" or a "digestMultibase"');
      }
    });
  }
  return out;
}

const SRI_ALGORITHMS: Record<string, string> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };
/** Multihash codes of the SHA-2 digests (multiformats table). */
const MULTIHASH: Record<number, { algorithm: string; length: number }> = {
  0x12: { algorithm: 'SHA-256', length: 32 },
  0x20: { algorithm: 'SHA-384', length: 48 },
  0x13: { algorithm: 'SHA-512', length: 64 },
};

const toBase64 = (bytes: Uint8Array): string => {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
};
const fromBase64Url = (text: string): Uint8Array => {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '='));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
};
const digest = async (algorithm: string, bytes: Uint8Array): Promise<Uint8Array> =>
  new Uint8Array(await globalThis.crypto.subtle.digest(algorithm, bytes as Uint8Array<ArrayBuffer>));

/**
 * Digests of related resources this process holds (the bundled contexts) that do not match: the data model makes a
 * verifier that uses such a resource compute its digest and fail on a mismatch, and an issuer must not sign one.
 * Digests of resources not held here cannot be checked offline and are not reported. SRI (sha256/384/512) and
 * base64url multibase multihashes (`u…`) are read; hand-written because both are a prefix and a base64 text.
 */
export async function relatedResourceMismatches(credential: Record<string, unknown>, bytesOf: ResourceBytes): Promise<Violation[]> {
  const related = credential.relatedResource;
  if (related === undefined) return [];
  const out: Violation[] = [];
  const list = asList(related);
  for (const [i, item] of list.entries()) {
    if (!isObject(item) || typeof item.id !== 'string') continue;
    const bytes = bytesOf(item.id);
    if (!bytes) continue;
    const path = Array.isArray(related) ? `/relatedResource/${i}` : '/relatedResource';
    for (const sri of typeof item.digestSRI === 'string' ? item.digestSRI.trim().split(/\s+/) : []) {
      const [alg, value] = [sri.slice(0, sri.indexOf('-')), sri.slice(sri.indexOf('-') + 1)];
      const algorithm = SRI_ALGORITHMS[alg];
      if (!algorithm) continue;
      if (toBase64(await digest(algorithm, bytes)) !== value) {
        out.push({ rule: 'vcdm2.relatedResource.match', path: `${path}/digestSRI`, message: `the ${alg} digest of ${item.id} does not match the resource` });
      }
    }
    const mb = item.digestMultibase;
    if (typeof mb === 'string' && mb.startsWith('u')) {
      let decoded: Uint8Array | undefined;
      try {
        decoded = fromBase64Url(mb.slice(1));
      } catch {
        decoded = undefined;
      }
      const spec = decoded ? MULTIHASH[decoded[0]!] : undefined;
      const matches = spec && decoded && decoded[1] === spec.length && decoded.length === spec.length + 2
        ? toBase64(await digest(spec.algorithm, bytes)) === toBase64(decoded.subarray(2))
        : false;
      if (!matches) out.push({ rule: 'vcdm2.relatedResource.match', path: `${path}/digestMultibase`, message: `the digestMultibase of ${item.id} does not match the resource` });
    }
  }
  return out;
}

/** The context values of a credential that are inline objects rather than URLs. */
export const inlineContexts = (credential: Record<string, unknown>): object[] =>
  asList(credential['@context']).filter((c): c is object => isObject(c));
