import { fail, pass, warn, type Check } from '../credentials/checks.js';
import { decodeAndProve, type QrPhase, type QrPhaseOptions } from '../credentials/qr-phase.js';
import { completeVerification, issuerId, verifyProofs, type ProofPhase, type RegistryOptions } from '../credentials/verify.js';
import { checkCredentialAgainstRegistry } from '../frameworks/registry-check.js';
import type { Check as RegistryCheck } from '../frameworks/snapshot.js';
import { bundleAge } from '../trust/bundle.js';
import { withMessageKey, type MessageContext } from './message-keys.js';
import { checkAwardFromBundle, checkStatusFromBundle } from './status-step.js';
import { summarise } from './summary.js';
import { overall, verdictReason, type Verdict, type VerdictCheck } from './verdict.js';
import type { VerifierData } from './verifier-data.js';

/*
 * THE verify pipeline, shared by the server (POST /verify/qr), the CLI and the browser build (browser-safe):
 * QR payload → credential → signature → the signing key's state when it signed → issuer and accreditation when it
 * signed → catalogue and framework levels → validity period → status from the snapshot → freshness of the data.
 */

export interface PipelineOptions {
  now?: Date;
  /**
   * Runs the QR decode and the proof phase (qr-phase.ts decodeAndProve: CBOR-LD, canonicalisation and signatures,
   * the CPU-heavy part) somewhere else than here, with the data's tables, known contexts and document loader: the
   * server hands it to its worker pool, one job per scan, so that POST /verify/qr does not hold its event loop.
   * In-process when absent (the browser, the CLI).
   */
  qrPhase?: (text: string, options: QrPhaseOptions & { now: Date }) => Promise<QrPhase>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const proofOptions = (data: VerifierData, now: Date) => ({ documentLoader: data.documentLoader, knownContexts: data.knownContexts, now });

/** The QR text (`VP1-R…`) as scanned; surrounding whitespace from scanners or pasting is ignored. */
export async function verifyQrText(text: string, data: VerifierData, options: PipelineOptions = {}): Promise<Verdict> {
  const now = options.now ?? new Date();
  const phaseOptions = { ...proofOptions(data, now), typeTableLoader: data.typeTableLoader };
  const qr = await (options.qrPhase ?? decodeAndProve)(text.trim(), phaseOptions);
  if ('failure' in qr) {
    const check = fail(
      'payload',
      qr.failure,
      qr.failure === 'qr_table_unknown'
        ? 'the QR code uses catalogue entries this verification data does not have yet: update the verification data'
        : 'the text is not a Tanda credential QR code, or it is damaged',
    );
    return finish([withMessageKey(check, {})], data, now);
  }
  return judge(qr.credential, qr.proofs, data, now, pass('payload', 'the QR code holds a signed credential'));
}

/** A credential as JSON (from a file or a decoded QR code). */
export async function verifyCredentialDocument(credential: unknown, data: VerifierData, options: PipelineOptions = {}): Promise<Verdict> {
  const now = options.now ?? new Date();
  return judge(credential, await verifyProofs(credential, proofOptions(data, now)), data, now);
}

/** The registry half over a credential's proof phase, and the verdict. */
async function judge(credential: unknown, proofs: ProofPhase, data: VerifierData, now: Date, payloadCheck?: Check): Promise<Verdict> {
  const raw: Check[] = payloadCheck ? [payloadCheck] : [];
  const registryOptions: RegistryOptions = {
    checkStatus: (c) => checkStatusFromBundle(c, data, now),
    signingKey: async (verificationMethod) => data.signingKey(verificationMethod),
  };
  const result = await completeVerification(credential, proofs, registryOptions);
  const byId = new Map(result.checks.map((c) => [c.id, c]));
  const ctx: MessageContext = {};
  const keyed = (c: Check | RegistryCheck) => withMessageKey(c, ctx);

  if (!isObject(credential) || !byId.get('structure')?.valid || !byId.get('context')?.valid) {
    return finish([...raw, ...result.checks].map(keyed), data, now);
  }
  for (const id of ['structure', 'context', 'signature', 'issuer_binding', 'signing_key'] as const) {
    const c = byId.get(id);
    if (c) raw.push(c);
  }

  const did = issuerId(credential) ?? '';
  const registryIssuer = data.issuerByDid(did);
  // A did:key body that rotated its key signs new credentials under a new DID; the registry check looks issuers up
  // by their current DID, so an older credential is checked under the DID its body has now (its signature was
  // checked above against the DID it names).
  const asRegistered = registryIssuer && registryIssuer.did !== did ? { ...credential, issuer: registryIssuer.did } : credential;
  const registry = checkCredentialAgainstRegistry(asRegistered, data.registry);
  const subject = credential.credentialSubject as Record<string, unknown> | undefined;
  const achievementId = isObject(subject) && isObject(subject.achievement) ? subject.achievement.id : undefined;
  const q = typeof achievementId === 'string' ? data.qualification(achievementId) : undefined;
  if (registryIssuer) {
    ctx.issuer = registryIssuer.name;
    ctx.country = registryIssuer.country;
  }
  if (q) ctx.qualification = q.code;
  const issued = credential.validFrom ?? credential.issuanceDate;
  if (typeof issued === 'string') ctx.issueDate = issued;

  const checks: VerdictCheck[] = [...raw.map(keyed), ...registry.map(keyed)];
  // A body of the registry also signs credentials through the VC API: only an award is a qualification it vouches for.
  if (registryIssuer) checks.push(keyed(await checkAwardFromBundle(credential, did, data)));
  for (const id of ['validity_period', 'status'] as const) {
    const c = byId.get(id);
    if (c) checks.push(keyed(c));
  }
  if (!byId.get('status') && registryIssuer) {
    checks.push(keyed(fail('status', 'status_missing', `issued by ${registryIssuer.name} without a status entry: a revocation could never show`)));
  }
  return finish(checks, data, now, summarise(credential, checks, data));
}

function finish(checks: VerdictCheck[], data: VerifierData, now: Date, summary?: Verdict['summary']): Verdict {
  const age = bundleAge(data.bundle, now);
  const detail = { issued: age.issued, validUntil: age.validUntil, ageDays: age.ageDays };
  const freshness = age.stale
    ? warn('freshness', 'bundle_stale', `the verification data of ${age.issued.slice(0, 10)} is out of date (${age.ageDays} days old): update it when online`, detail)
    : pass('freshness', `verification data of ${age.issued.slice(0, 10)} (${age.ageDays} days old)`, detail);
  const all = [...checks, withMessageKey(freshness, {})];
  const verdict = overall(all);
  return {
    verdict,
    reason: verdictReason(verdict, all),
    claimsConfirmed: verdict === 'VALID' || verdict === 'VALID_WITH_WARNINGS',
    checks: all,
    ...(summary ? { summary } : {}),
    dataAge: age,
    checkedAt: now.toISOString(),
  };
}
