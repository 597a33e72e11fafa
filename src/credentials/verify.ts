import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import type { DocumentLoader } from '../jsonld/loader.js';
import { fail, pass, warn, type Check } from './checks.js';
import { dataModelViolations, inlineContexts, relatedResourceMismatches, type ResourceBytes } from './data-model.js';
import { documentBoundsViolation } from './document-bounds.js';
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
  /**
   * Accept inline `@context` objects (the VC API verifier does: the signature covers them). Registry checks still
   * need every context to be a known URL, since they read JSON keys whose meaning an inline context could change.
   */
  inlineContexts?: boolean;
  /** Bytes of resources held here, to check `relatedResource` digests that can be checked offline. */
  resourceBytes?: ResourceBytes;
}

const CREDENTIAL_CHECKS: Partial<Record<string, VcApiCheck>> = {
  structure: 'proof',
  context: 'proof',
  related_resource: 'proof',
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
  return completeVerification(input, await verifyProofs(input, options), options);
}

/**
 * What the CPU-bound half of verification found: everything up to and including the proofs and the issuer binding,
 * which needs no registry. Plain data, so a worker thread can hand it back to the thread that holds the database.
 */
export interface ProofPhase {
  checks: Check[];
  ran: VcApiCheck[];
  /** Verification ended here (malformed, or a context not allowed): the registry has nothing to add. */
  done: boolean;
  /** The keys whose proofs held, for the signing-key check. */
  methods: string[];
  /** The credential has inline contexts (registry checks then refuse to read it). */
  inline: boolean;
}

export type ProofOptions = Pick<VerifyOptions, 'documentLoader' | 'knownContexts' | 'now' | 'checks' | 'inlineContexts' | 'resourceBytes'>;
export type RegistryOptions = Pick<VerifyOptions, 'lookupIssuer' | 'checkRegistry' | 'signingKey' | 'checkStatus' | 'checks'>;

const wantedChecks = (checks: ReadonlyArray<VcApiCheck> | undefined) => new Set<VcApiCheck>(['proof', ...(checks ?? DEFAULT_CHECKS)]);

/** Structure, contexts, related resources, validity period, proofs and issuer binding: no registry, no database. */
export async function verifyProofs(input: unknown, options: ProofOptions): Promise<ProofPhase> {
  const checks: Check[] = [];
  const wanted = wantedChecks(options.checks);
  const ran: VcApiCheck[] = [];
  const stop = (): ProofPhase => ({ checks, ran, done: true, methods: [], inline: false });

  const structure = checkStructure(input);
  checks.push(structure);
  if (!structure.valid || !isObject(input)) return stop();
  const credential = input;

  const contextCheck = checkContexts(credential, options.knownContexts, options.inlineContexts === true);
  checks.push(contextCheck);
  if (!contextCheck.valid) return stop();
  const inline = inlineContexts(credential).length > 0;

  if (options.resourceBytes && credential.relatedResource !== undefined) {
    const mismatches = await relatedResourceMismatches(credential, options.resourceBytes);
    checks.push(
      mismatches.length
        ? fail('related_resource', 'related_resource_mismatch', mismatches.map((m) => m.message).join('; '), { violations: mismatches })
        : pass('related_resource', 'every related resource held here matches its digest'),
    );
  }

  const period = checkValidityPeriod(credential, options.now ?? new Date());
  if (wanted.has('validity')) {
    checks.push(period.check);
    ran.push('validity');
  }

  const signature = await checkProofs(credential, options, period.inWindow);
  checks.push(signature.check);
  ran.push('proof');
  const did = issuerId(credential) ?? '';
  if (signature.controllers.length) checks.push(checkBinding(did, signature.controllers));
  let methods: string[] = [];
  if (signature.check.valid) {
    const data = signature.check.data ?? {};
    methods = [...new Set([...(Array.isArray(data.verificationMethods) ? data.verificationMethods : [data.verificationMethod])])].filter((m): m is string => typeof m === 'string');
  }
  return { checks, ran, done: false, methods, inline };
}

/** The registry's half: the signing key's state, the issuer, registry checks and status, through the hooks given. */
export async function completeVerification(input: unknown, phase: ProofPhase, options: RegistryOptions): Promise<VerificationResult> {
  const checks = [...phase.checks];
  const ran = new Set<VcApiCheck>(phase.ran);
  const finish = (): VerificationResult => {
    const proven = checks.some((c) => c.id === 'signature' && c.valid);
    const verified = proven && checks.every((c) => c.valid || CREDENTIAL_CHECKS[c.id] === undefined);
    const notChecked = DEFAULT_CHECKS.filter((c) => !ran.has(c));
    return { verified, checks, ...(notChecked.length ? { notChecked } : {}) };
  };
  if (phase.done || !isObject(input)) return finish();
  const credential = input;
  const wanted = wantedChecks(options.checks);
  const did = issuerId(credential) ?? '';

  if (phase.methods.length && options.signingKey) {
    // Every key of a proof set must have been allowed to sign when it did; the first refusal is the one reported.
    const keyChecks: Check[] = [];
    for (const vm of phase.methods) {
      const key = await options.signingKey(vm);
      if (key) keyChecks.push(checkSigningKey(credential, vm, key));
    }
    const keyCheck = keyChecks.find((c) => !c.valid) ?? keyChecks[0];
    if (keyCheck) checks.push(keyCheck);
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
    if (info.known && options.checkRegistry && phase.inline) {
      checks.push(fail('registry', 'unknown_context', 'registry checks need every JSON-LD context to be one this verifier holds: an inline context can change what a property means'));
    } else if (info.known && options.checkRegistry) {
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

/** The data model rules (src/credentials/data-model.ts) and, for a secured credential, an embedded proof. */
function checkStructure(input: unknown): Check {
  if (!isObject(input)) return fail('structure', 'malformed_credential', 'a credential must be a JSON object');
  // Before anything walks the document: JSON-LD processing of an unbounded one can take minutes.
  const bounds = documentBoundsViolation(input);
  if (bounds) return fail('structure', 'malformed_credential', bounds.message, { bounds });
  const violations = dataModelViolations(input);
  const problems = violations.map((v) => `${v.path || '/'}: ${v.message}`);
  const proofs = Array.isArray(input.proof) ? input.proof : [input.proof];
  if (input.proof === undefined || proofs.length === 0 || !proofs.every(isObject)) problems.push('"proof" must be one proof object or a list of them');
  return problems.length
    ? fail('structure', 'malformed_credential', problems.join('; '), violations.length ? { violations } : undefined)
    : pass('structure', 'the credential is well-formed');
}

function checkContexts(credential: Record<string, unknown>, known: ReadonlySet<string>, acceptInline: boolean): Check {
  const contexts = credential['@context'] as unknown[];
  const unknown = contexts.filter((c) => (typeof c === 'string' ? !known.has(c) : !acceptInline));
  if (unknown.length) {
    return fail('context', 'unknown_context', `contexts not allowed: ${unknown.map((c) => (typeof c === 'string' ? c : 'inline context')).join(', ')}`);
  }
  const inline = contexts.length - contexts.filter((c) => typeof c === 'string').length;
  return pass('context', inline ? `every context URL is one this verifier holds; ${inline} inline context(s), covered by the signature` : 'every JSON-LD context is one this verifier holds');
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

type ProofObject = Record<string, unknown>;
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

/**
 * Every proof of the credential is checked (VC Data Integrity §4.5 "Verify Proof Sets and Chains"): the combined
 * result holds only when each does. Proofs that start a chain or stand in a set (no `previousProof`) go through
 * @digitalbazaar/vc with the assertionMethod purpose alone; the library passes a set when *any* proof verifies, so
 * each result is read here. A proof with `previousProof` signs the document together with the proofs it names, which
 * the library does not do, so it is verified here over exactly that input; a `previousProof` naming no proof of the
 * set fails (PROOF_VERIFICATION_ERROR). The controllers returned are those of the chain starts and set members, the
 * proofs that can bind the credential to its issuer.
 */
async function checkProofs(
  credential: Record<string, unknown>,
  options: ProofOptions,
  inWindow: Date,
): Promise<{ check: Check; controllers: string[] }> {
  const all = listOf(credential.proof) as ProofObject[];
  const byId = new Map(all.filter((p) => typeof p.id === 'string').map((p) => [p.id as string, p]));
  const roots = all.filter((p) => p.previousProof === undefined);
  const chained = all.filter((p) => p.previousProof !== undefined);
  for (const proof of chained) {
    const missing = listOf(proof.previousProof).filter((id) => typeof id !== 'string' || !byId.has(id));
    if (missing.length) {
      return {
        check: fail('signature', 'previous_proof_missing', `a proof names a previous proof the credential does not hold: ${missing.map(String).join(', ')}`, { previousProof: missing }),
        controllers: [],
      };
    }
  }
  if (roots.length === 0) return { check: fail('signature', 'invalid_signature', 'every proof names a previous proof: no proof starts the chain'), controllers: [] };

  const first = await checkRootProofs({ ...credential, proof: roots.length === 1 ? roots[0] : roots }, roots.length, options, inWindow);
  if (!first.check.valid || chained.length === 0) return first;
  for (const proof of chained) {
    const failure = await checkChainedProof(credential, proof, listOf(proof.previousProof).map((id) => byId.get(id as string)!), options);
    if (failure) return { check: failure, controllers: [] };
  }
  return { check: pass('signature', `all ${all.length} proofs are valid for the content`, first.check.data), controllers: first.controllers };
}

async function checkRootProofs(
  credential: Record<string, unknown>,
  count: number,
  options: VerifyOptions,
  inWindow: Date,
): Promise<{ check: Check; controllers: string[] }> {
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
    const results = result.results ?? [];
    if (result.verified && results.length === count && results.every((r) => r.verified)) {
      const controllers = results.map((r) => r.purposeResult?.controller?.id).filter((c): c is string => typeof c === 'string');
      return {
        check: pass('signature', count > 1 ? `all ${count} proofs of the set are valid for the content` : 'the signature is valid for the content', {
          verificationMethod: results[0]?.verificationMethod?.id,
          ...(count > 1 ? { verificationMethods: results.map((r) => r.verificationMethod?.id) } : {}),
        }),
        controllers,
      };
    }
    if (result.verified) {
      // The library stops at the first verified proof of a set, or skipped a proof no suite or purpose matched.
      const bad = results.find((r) => !r.verified);
      const reason = bad ? (bad.error?.message ?? 'a proof does not verify') : `${count - results.length} proof(s) are not eddsa-rdfc-2022 assertionMethod proofs this verifier can check`;
      return { check: fail('signature', 'invalid_signature', `not every proof of the set holds: ${reason}`), controllers: [] };
    }
    const errors = collectErrors(result);
    const unresolved = errors.find((e) => (e as { code?: string }).code === 'unresolvable_did' || /resolved offline/.test(e.message));
    if (unresolved) return { check: fail('signature', 'unresolvable_did', `the signing key cannot be resolved: ${unresolved.message}`), controllers: [] };
    const unknownCtx = errors.find((e) => (e as { code?: string }).code === 'unknown_context');
    if (unknownCtx) return { check: fail('signature', 'unknown_context', unknownCtx.message), controllers: [] };
    return { check: fail('signature', 'invalid_signature', `the signature does not match the content${errors[0] ? `: ${errors[0].message}` : ''}`), controllers: [] };
  } catch (e) {
    return { check: fail('signature', 'invalid_signature', `the signature could not be checked: ${(e as Error).message}`), controllers: [] };
  }
}

/** One chained proof over the unsecured document with `proof` set to the proofs it follows (Data Integrity §4.5 step 3). */
async function checkChainedProof(
  credential: Record<string, unknown>,
  proof: ProofObject,
  previous: ProofObject[],
  options: VerifyOptions,
): Promise<Check | undefined> {
  const { proof: _all, ...unsecured } = credential;
  const document = { ...unsecured, proof: previous };
  const suite = verifyingSuite(options.documentLoader);
  const purpose = new jsigs.purposes.AssertionProofPurpose();
  try {
    const withContext = { '@context': credential['@context'], ...proof };
    const result = await suite.verifyProof({ proof: withContext, document, documentLoader: options.documentLoader, proofSet: [] });
    if (!result.verified) return fail('signature', 'invalid_signature', `a chained proof does not verify: ${result.error?.message ?? 'invalid signature'}`);
    const purposeResult = await purpose.validate(withContext, { document, suite, verificationMethod: result.verificationMethod, documentLoader: options.documentLoader });
    if (!purposeResult.valid) return fail('signature', 'invalid_signature', `a chained proof's key is not an assertion method of its controller: ${purposeResult.error?.message ?? ''}`);
    return undefined;
  } catch (e) {
    return fail('signature', 'invalid_signature', `a chained proof could not be checked: ${(e as Error).message}`);
  }
}

/** Bound when any proof of the set, or the first of a chain, is by a key the issuer controls. */
function checkBinding(issuer: string, controllers: string[]): Check {
  const data = { issuer, controllers };
  if (controllers.includes(issuer)) {
    return pass('issuer_binding', controllers.length > 1 ? 'a proof of the set is by a key of the issuer' : 'the signing key belongs to the issuer', { issuer, controller: issuer, ...(controllers.length > 1 ? { controllers } : {}) });
  }
  const by = controllers.join(', ');
  if (!issuer.startsWith('did:')) {
    return warn('issuer_binding', 'issuer_unbound', `the issuer ${issuer} is not a DID, so the signing key (controlled by ${by}) cannot be tied to it`, { ...data, controller: controllers[0] });
  }
  return fail('issuer_binding', 'issuer_key_mismatch', `signed by a key of ${by}, not of the issuer ${issuer}`, { ...data, controller: controllers[0] });
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
