import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import type { DocumentLoader } from '../jsonld/loader.js';
import { fail, pass, warn, type Check } from './checks.js';
import { checkSigningKey, type SigningKeyRecord } from './signing-key.js';
import { verifyingSuite } from './suite.js';

/** The VC API's names for what `verified` covers. */
export type VcApiCheck = 'proof' | 'validity' | 'status';
const DEFAULT_CHECKS: readonly VcApiCheck[] = ['proof', 'validity', 'status'];

export interface VerificationResult {
  /** Proof, structure, context, validity period and status, as the VC API defines `verified`; never without a passing proof. */
  verified: boolean;
  checks: Check[];
  /** Checks asked for (or run by default) that were not run, so `verified` says nothing about them. */
  notChecked?: VcApiCheck[];
}

export interface IssuerInfo {
  known: boolean;
  name?: string;
  id?: string;
}

export interface VerifyOptions {
  documentLoader: DocumentLoader;
  /** Context URLs accepted (the bundled ones); anything else is reported as unknown_context. */
  knownContexts: ReadonlySet<string>;
  /** Whether the issuer is in our registry: its own check, outside `verified` (an outside issuer can verify). */
  lookupIssuer?: (did: string) => Promise<IssuerInfo>;
  /** Registry checks (accreditation, catalogue, levels) for credentials of known issuers; outside `verified`. */
  checkRegistry?: (credential: Record<string, unknown>) => Promise<Check[]>;
  /**
   * The registry's record of the key that made the proof (undefined for a key no registry body holds): retired and
   * compromised keys are refused by the `signing_key` check, which counts towards `verified` like the proof itself.
   */
  signingKey?: (verificationMethod: string) => Promise<SigningKeyRecord | undefined>;
  /** Status (revocation) check; absent → a credential with credentialStatus is reported status_unknown. */
  checkStatus?: (credential: Record<string, unknown>) => Promise<Check>;
  now?: Date;
  /**
   * VC API `options.checks`: which of validity/status to run (default: all). The proof is always checked and always
   * counts: a caller cannot ask for a credential to be called verified without it.
   */
  checks?: ReadonlyArray<VcApiCheck>;
}

const CREDENTIAL_CHECKS: Partial<Record<string, VcApiCheck>> = {
  structure: 'proof',
  context: 'proof',
  signature: 'proof',
  issuer_binding: 'proof',
  signing_key: 'proof',
  validity_period: 'validity',
  status: 'status',
  payload: 'proof',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function issuerId(credential: Record<string, unknown>): string | undefined {
  const issuer = credential.issuer;
  if (typeof issuer === 'string') return issuer;
  if (isObject(issuer) && typeof issuer.id === 'string') return issuer.id;
  return undefined;
}

/** Verifies one credential and returns every check; never throws for a bad credential. */
export async function verifyCredential(input: unknown, options: VerifyOptions): Promise<VerificationResult> {
  const checks: Check[] = [];
  const wanted = new Set<VcApiCheck>(['proof', ...(options.checks ?? DEFAULT_CHECKS)]);
  const ran = new Set<VcApiCheck>();
  const finish = (): VerificationResult => {
    const proven = checks.some((c) => c.id === 'signature' && c.valid);
    const verified = proven && checks.every((c) => c.valid || CREDENTIAL_CHECKS[c.id] === undefined);
    const notChecked = DEFAULT_CHECKS.filter((c) => !ran.has(c));
    return { verified, checks, ...(notChecked.length ? { notChecked } : {}) };
  };

  const structure = checkStructure(input);
  checks.push(structure);
  if (!structure.valid || !isObject(input)) return finish();
  const credential = input;

  const contextCheck = checkContexts(credential, options.knownContexts);
  checks.push(contextCheck);
  if (!contextCheck.valid) return finish();

  const period = checkValidityPeriod(credential, options.now ?? new Date());
  if (wanted.has('validity')) {
    checks.push(period.check);
    ran.add('validity');
  }

  const signature = await checkSignature(credential, options, period.inWindow);
  checks.push(signature.check);
  ran.add('proof');
  const did = issuerId(credential) ?? '';
  if (signature.controller) checks.push(checkBinding(did, signature.controller));
  const verificationMethod = signature.check.data?.verificationMethod;
  if (signature.check.valid && options.signingKey && typeof verificationMethod === 'string') {
    const key = await options.signingKey(verificationMethod);
    if (key) checks.push(checkSigningKey(credential, verificationMethod, key));
  }

  let registered: IssuerInfo | undefined;
  if (options.lookupIssuer) {
    const info = await options.lookupIssuer(did).catch(() => ({ known: false }) as IssuerInfo);
    if (info.known) registered = info;
    checks.push(
      info.known
        ? pass('issuer', `issued by ${info.name ?? did}, a certifying body in the registry`, { issuer: did, name: info.name })
        : fail('issuer', 'unknown_issuer', `the issuer ${did} is not a certifying body in the registry`, { issuer: did }),
    );
    if (info.known && options.checkRegistry) {
      const registry = await options.checkRegistry(credential).catch((e: unknown) => [
        fail('registry', 'unknown_issuer', `the registry could not be consulted: ${(e as Error).message}`),
      ]);
      // The registry's own "issuer known" line repeats the check above.
      checks.push(...registry.filter((c) => c.id !== 'issuer_known'));
    }
  }

  if (!wanted.has('status')) return finish();
  if (credential.credentialStatus === undefined) {
    // Every credential a registry body signs gets a status entry; one without could never show a revocation.
    if (registered) {
      checks.push(fail('status', 'status_missing', `issued by ${registered.name ?? did}, a certifying body in the registry, without a status entry: a revocation could never show`));
      ran.add('status');
    }
  } else {
    ran.add('status');
    checks.push(
      options.checkStatus
        ? await options.checkStatus(credential).catch((e: unknown) =>
            fail('status', 'status_unknown', `status could not be checked: ${(e as Error).message}`),
          )
        : fail('status', 'status_unknown', 'the credential has a status entry but no status source is available'),
    );
  }
  return finish();
}

function checkStructure(input: unknown): Check {
  if (!isObject(input)) return fail('structure', 'malformed_credential', 'a credential must be a JSON object');
  const problems: string[] = [];
  const ctx = input['@context'];
  if (!Array.isArray(ctx) || ctx.length === 0) problems.push('"@context" must be a non-empty array');
  const type = input.type;
  const types = Array.isArray(type) ? type : [type];
  if (!types.includes('VerifiableCredential')) problems.push('"type" must include VerifiableCredential');
  if (!issuerId(input)) problems.push('"issuer" must be a URL or an object with an id');
  if (!isObject(input.credentialSubject) && !Array.isArray(input.credentialSubject)) problems.push('"credentialSubject" is required');
  const proof = input.proof;
  if (!isObject(proof) && !Array.isArray(proof)) problems.push('"proof" is required');
  for (const field of ['validFrom', 'validUntil', 'issuanceDate', 'expirationDate']) {
    const v = input[field];
    if (v !== undefined && (typeof v !== 'string' || Number.isNaN(Date.parse(v)))) problems.push(`"${field}" must be a date-time`);
  }
  return problems.length
    ? fail('structure', 'malformed_credential', problems.join('; '))
    : pass('structure', 'the credential is well-formed');
}

function checkContexts(credential: Record<string, unknown>, known: ReadonlySet<string>): Check {
  const contexts = credential['@context'] as unknown[];
  const unknown = contexts.filter((c) => typeof c !== 'string' || !known.has(c));
  return unknown.length
    ? fail('context', 'unknown_context', `contexts not allowed: ${unknown.map((c) => (typeof c === 'string' ? c : 'inline context')).join(', ')}`)
    : pass('context', 'every JSON-LD context is one this verifier holds');
}

function checkValidityPeriod(credential: Record<string, unknown>, now: Date): { check: Check; inWindow: Date } {
  const from = (credential.validFrom ?? credential.issuanceDate) as string | undefined;
  const until = (credential.validUntil ?? credential.expirationDate) as string | undefined;
  const data = { validFrom: from, validUntil: until };
  // The signature check runs "as of" a moment inside the window, so an expired credential still reports whether
  // its signature holds instead of hiding it behind the date error @digitalbazaar/vc raises first.
  const inWindow = from ? new Date(from) : until ? new Date(Date.parse(until) - 1000) : now;
  if (from && Date.parse(from) > now.getTime()) return { check: fail('validity_period', 'not_yet_valid', `not valid before ${from}`, data), inWindow };
  if (until && Date.parse(until) < now.getTime()) return { check: fail('validity_period', 'expired', `expired on ${until}`, data), inWindow };
  return { check: pass('validity_period', until ? `valid until ${until}` : 'no expiry date', data), inWindow };
}

/**
 * The proof is checked with the assertionMethod purpose alone (the key is authorised by its controller); whether that
 * controller is the credential's issuer is its own check, so a vector or an outside credential whose issuer is a
 * plain URL still shows a valid signature while the binding is reported as unverifiable.
 */
async function checkSignature(
  credential: Record<string, unknown>,
  options: VerifyOptions,
  inWindow: Date,
): Promise<{ check: Check; controller?: string }> {
  try {
    const result = await vc.verifyCredential({
      credential,
      suite: verifyingSuite(options.documentLoader),
      documentLoader: options.documentLoader,
      purpose: new jsigs.purposes.AssertionProofPurpose(),
      now: inWindow,
      // Status is checked on its own (below) so that it can say "revoked" or "unknown" rather than a bare failure.
      checkStatus: async () => ({ verified: true }),
    });
    if (result.verified) {
      const controller = result.results?.[0]?.purposeResult?.controller?.id;
      return {
        check: pass('signature', 'the signature is valid for the content', { verificationMethod: result.results?.[0]?.verificationMethod?.id }),
        ...(controller ? { controller } : {}),
      };
    }
    const errors = collectErrors(result);
    const unresolved = errors.find((e) => (e as { code?: string }).code === 'unresolvable_did' || /resolved offline/.test(e.message));
    if (unresolved) return { check: fail('signature', 'unresolvable_did', `the signing key cannot be resolved: ${unresolved.message}`) };
    const unknownCtx = errors.find((e) => (e as { code?: string }).code === 'unknown_context');
    if (unknownCtx) return { check: fail('signature', 'unknown_context', unknownCtx.message) };
    return { check: fail('signature', 'invalid_signature', `the signature does not match the content${errors[0] ? `: ${errors[0].message}` : ''}`) };
  } catch (e) {
    return { check: fail('signature', 'invalid_signature', `the signature could not be checked: ${(e as Error).message}`) };
  }
}

function checkBinding(issuer: string, controller: string): Check {
  if (issuer === controller) return pass('issuer_binding', 'the signing key belongs to the issuer', { issuer, controller });
  if (!issuer.startsWith('did:')) {
    return warn('issuer_binding', 'issuer_unbound', `the issuer ${issuer} is not a DID, so the signing key (controlled by ${controller}) cannot be tied to it`, { issuer, controller });
  }
  return fail('issuer_binding', 'issuer_key_mismatch', `signed by a key of ${controller}, not of the issuer ${issuer}`, { issuer, controller });
}

function collectErrors(result: vc.VerifyCredentialResult): Error[] {
  const out: Error[] = [];
  const visit = (e: unknown) => {
    if (!e || typeof e !== 'object') return;
    const err = e as Error & { errors?: unknown[]; cause?: unknown };
    if (err.message) out.push(err);
    err.errors?.forEach(visit);
    if (err.cause) visit(err.cause);
  };
  visit(result.error);
  result.results?.forEach((r) => {
    visit(r.error);
    visit(r.purposeResult?.error);
  });
  return out;
}
