import { countIssued, countVerified } from '../metrics.js';
import crypto from 'node:crypto';
import type { Db, Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import { TandaError } from '../errors.js';
import type { DocumentLoader } from '../jsonld/loader.js';
import type { KeyStore } from '../keys/key-store.js';
import { holderNames } from './build.js';
import type { Check } from './checks.js';
import { appendAudit } from '../rpl/audit.js';
import { findUngoverned, type RegistryTerms } from './registry-claims.js';
import { dataModelViolations, relatedResourceMismatches, type ResourceBytes, type Violation } from './data-model.js';
import type { SigningKeyRecord } from './signing-key.js';
import { assertDocumentBounds } from './document-bounds.js';
import { embeddedCredentials, presentationResult, verifyPresentation, type PresentationResult } from './presentation.js';
import { ProofPool, type ProofPoolOptions } from './proof-pool.js';
import type { CredentialJobOptions } from './proof-messages.js';
import { signCredential, signingInputError, type SignedCredential } from './sign.js';
import {
  completeVerification,
  issuerId,
  verifyCredential,
  type IssuerInfo,
  type ProofOptions,
  type RegistryOptions,
  type VcApiCheck,
  type VerificationResult,
} from './verify.js';

/** Hooks later modules plug in (status list allocation, status checks), kept as ports so this file stays small. */
export interface CredentialHooks {
  /** Called inside the issuing transaction before signing; returns the credentialStatus entry to embed. */
  allocateStatus?: (tx: Executor, input: { issuerId: string; credentialId: string; kind: IssuanceKind }) => Promise<Record<string, unknown>>;
  checkStatus?: (credential: Record<string, unknown>) => Promise<Check>;
}

export interface CredentialServiceDeps {
  db: Db;
  keys: KeyStore;
  documentLoader: DocumentLoader;
  knownContexts: ReadonlySet<string>;
  lookupIssuer: (did: string) => Promise<IssuerInfo>;
  checkRegistry?: (credential: Record<string, unknown>) => Promise<Check[]>;
  /** The catalogue's ids, codes and titles: a credential that is not an award may claim none of them. */
  registryTerms: () => Promise<RegistryTerms>;
  /** Raw bytes of the resources held here (bundled contexts), so relatedResource digests are checked offline. */
  resourceBytes?: ResourceBytes;
  /** The registry's record of a signing key, read at verification time so a compromise counts at once. */
  signingKey?: (verificationMethod: string) => Promise<SigningKeyRecord | undefined>;
  /**
   * Verify and sign on worker threads (proof-pool.ts); absent → in-process. The workers read the bundled contexts
   * themselves, so `knownContexts` and `resourceBytes` must be the bundled ones when a pool is used.
   */
  workers?: ProofPoolOptions;
}

export interface VerifyCallOptions {
  checks?: ReadonlyArray<VcApiCheck>;
  now?: Date;
  inlineContexts?: boolean;
}

/**
 * `award`: a registry award, issued only by issueAward in the transaction that certifies an RPL case (and its
 * re-issues). `general`: anything else (the W3C VC API), which may claim nothing the registry vouches for.
 */
export type IssuanceKind = 'award' | 'general';

export interface IssueOptions {
  issuerId: string;
  issuedBy?: string | null;
  qualificationId?: string | null;
  caseId?: string | null;
  holderUserId?: string | null;
  /** Default `general`. Every credential gets a status entry, allocated here; the kind decides which list. */
  kind?: IssuanceKind;
  /**
   * VC API `credentialId`: the id the issued credential is stored and referred to by when the credential itself has
   * no `id` (which is then left out, as the VC API says; a credential with an `id` is stored under that id).
   */
  credentialId?: string;
  /**
   * VC API `mandatoryPointers`: JSON pointers a holder must always disclose. Only selective-disclosure suites act on
   * them; eddsa-rdfc-2022 discloses every statement, so any set is met. Each must still point at a value of the
   * credential as signed (a pointer to nothing is the caller's mistake, refused as invalid_pointer).
   */
  mandatoryPointers?: readonly string[];
  /** Runs inside the same transaction before signing (e.g. the accreditation check). */
  beforeSign?: (tx: Executor) => Promise<void>;
  /** Runs inside the same transaction after the credential row is written (e.g. moving an RPL case). */
  afterStore?: (tx: Executor, signed: SignedCredential) => Promise<void>;
}

export interface StoredCredential {
  id: string;
  issuerId: string;
  document: SignedCredential;
  holderUserId: string | null;
  caseId: string | null;
  qualificationId: string | null;
  createdAt: string;
}

export class CredentialService {
  readonly hooks: CredentialHooks = {};
  /** The worker pool, when verification and signing run off the main thread. */
  readonly pool: ProofPool | undefined;

  constructor(private readonly deps: CredentialServiceDeps) {
    this.pool = deps.workers ? new ProofPool({ load: (url) => deps.documentLoader(url) }, deps.workers) : undefined;
  }

  /** Stops the workers (jobs still running are refused). */
  async close(): Promise<void> {
    await this.pool?.close();
  }

  /**
   * Signs as the body's current key and stores the result, all in one transaction: a failure anywhere (status
   * allocation, accreditation, signing) leaves no credential row and no used status index behind. The issuance is
   * appended to the audit chain in the same transaction (ids only).
   */
  async issue(credential: Record<string, unknown>, options: IssueOptions): Promise<SignedCredential> {
    const kind = options.kind ?? 'general';
    assertDocumentBounds(credential);
    const allocateStatus = this.hooks.allocateStatus;
    if (!allocateStatus) throw new TandaError('internal', 'credential status lists are not wired: no credential is issued without a status entry');
    // An award's content is built from the catalogue by issueAward, so only a VC API credential needs the scan.
    const ungoverned =
      kind === 'general'
        ? await findUngoverned(credential, await this.deps.registryTerms(), this.deps.documentLoader)
        : credential.credentialStatus !== undefined
          ? { kind: 'status' as const, detail: 'credentialStatus' }
          : undefined;
    if (ungoverned?.kind === 'status') {
      throw new TandaError('credential_status_not_allowed', 'the issuer allocates the status entry (a random index in its own list); send the credential without credentialStatus');
    }
    if (ungoverned) {
      throw new TandaError('registry_claim_not_allowed', `the credential names ${ungoverned.detail}, which belongs to the registry's catalogue or frameworks: such credentials are issued only by certifying an RPL case`);
    }
    const signed = await this.deps.db.kysely.transaction().execute(async (tx) => {
      const key = await this.deps.keys.currentKey(options.issuerId, tx);
      const draft: Record<string, unknown> = structuredClone(credential);
      // Absent issuer and id are ours to fill (the caller's body; a fresh URN). Present but broken ones (null, an
      // array, an issuer object without a URL id) are refused below, never replaced: repairing would sign a document
      // other than the one the caller sent.
      if (!('issuer' in draft)) draft.issuer = key.issuerDid;
      if (!('id' in draft) && options.credentialId === undefined) draft.id = `urn:uuid:${crypto.randomUUID()}`;
      await this.assertConformant(draft, options);
      const named = issuerId(draft);
      if (named !== key.issuerDid) {
        throw new TandaError('issuer_mismatch', `the credential names ${named} as issuer; your certifying body signs as ${key.issuerDid}`);
      }
      const id = typeof draft.id === 'string' ? draft.id : options.credentialId!;
      const exists = await tx.selectFrom('credentials').select('id').where('id', '=', id).executeTakeFirst();
      if (exists) throw new TandaError('already_exists', `a credential with id ${id} was already issued`);
      await options.beforeSign?.(tx);
      draft.credentialStatus = await allocateStatus(tx, { issuerId: options.issuerId, credentialId: id, kind });
      const dangling = (options.mandatoryPointers ?? []).filter((p) => !pointsInto(draft, p));
      if (dangling.length) throw new TandaError('invalid_pointer', `mandatory pointers to nothing in the credential: ${dangling.join(', ')}`, { details: { pointers: dangling } });
      // `created` dates the proof: a verifier accepts a retired key's proof only if it was made before the retirement,
      // and checks accreditation at this moment (8 more bytes in the QR code; see docs/verifier.md).
      const created = `${nowIso().slice(0, 19)}Z`;
      const signed = this.pool
        ? await this.pool.sign(draft, key.signer, created)
        : await signCredential(draft, { signer: key.signer, documentLoader: this.deps.documentLoader, created }).catch((e: unknown) => {
            throw signingInputError(e) ?? e;
          });
      await tx
        .insertInto('credentials')
        .values({
          id,
          issuer_id: options.issuerId,
          issued_by: options.issuedBy ?? null,
          qualification_id: options.qualificationId ?? null,
          case_id: options.caseId ?? null,
          holder_user_id: options.holderUserId ?? null,
          holder_name: holderNames(signed).name ?? null,
          document: JSON.stringify(signed),
          valid_from: typeof signed.validFrom === 'string' ? signed.validFrom : null,
          valid_until: typeof signed.validUntil === 'string' ? signed.validUntil : null,
          created_at: nowIso(),
        })
        .execute();
      await appendAudit(tx, this.deps.db.dialect, {
        actorId: options.issuedBy ?? null,
        action: 'credential.issue',
        caseId: options.caseId ?? null,
        subjectId: id,
        data: { kind, issuerId: options.issuerId, qualificationId: options.qualificationId ?? null },
      });
      await options.afterStore?.(tx, signed);
      return signed;
    });
    countIssued(kind);
    return signed;
  }

  /** VC Data Model 2.0 rules, then what only the issuer can check (digests of resources it holds, an unsecured input). */
  private async assertConformant(draft: Record<string, unknown>, options: IssueOptions): Promise<void> {
    const violations: Violation[] = dataModelViolations(draft);
    if (draft.proof !== undefined) {
      violations.push({ rule: 'vcapi.issue.unsecured', path: '/proof', message: 'this issuer signs unsecured credentials only: remove "proof"' });
    }
    if (options.credentialId !== undefined && typeof draft.id === 'string' && draft.id !== options.credentialId) {
      violations.push({ rule: 'vcapi.issue.credentialId', path: '/id', message: `options.credentialId ${options.credentialId} names another credential than its id ${draft.id}` });
    }
    if (this.deps.resourceBytes && violations.length === 0) violations.push(...(await relatedResourceMismatches(draft, this.deps.resourceBytes)));
    if (violations.length) {
      throw new TandaError('nonconformant_credential', violations.map((v) => `${v.path || '/'}: ${v.message}`).join('; '), { details: { violations } });
    }
  }

  /**
   * Verifies one credential; never throws for a bad credential. With a pool, the proof phase (canonicalisation and
   * signatures) runs on a worker and the registry phase (key state, issuer, registry, status: the database) here.
   */
  async verify(credential: unknown, options: VerifyCallOptions = {}): Promise<VerificationResult> {
    try {
      const result = await this.verifyUncounted(credential, options);
      countVerified(result.verified ? 'verified' : 'not_verified');
      return result;
    } catch (e) {
      countVerified('error');
      throw e;
    }
  }

  private async verifyUncounted(credential: unknown, options: VerifyCallOptions): Promise<VerificationResult> {
    if (!this.pool) return verifyCredential(credential, { ...this.proofOptions(options), ...this.registryOptions(options) });
    return completeVerification(credential, await this.pool.verifyProofs(credential, this.jobOptions(options)), this.registryOptions(options));
  }

  /** A presentation's own proof and every credential in it, each as verify() checks a lone one. */
  async verifyPresentation(
    presentation: unknown,
    binding: { challenge?: string | undefined; domain?: string | undefined },
    options: VerifyCallOptions = {},
  ): Promise<PresentationResult> {
    if (!this.pool) {
      return verifyPresentation(presentation, { documentLoader: this.deps.documentLoader, ...binding, verifyCredential: (c) => this.verify(c, options) });
    }
    const proofs = await this.pool.verifyPresentationProofs(presentation, this.jobOptions(options), binding);
    if (proofs.malformed) return presentationResult(proofs.checks, []);
    const embedded = embeddedCredentials(presentation);
    const registry = this.registryOptions(options);
    return presentationResult(proofs.checks, await Promise.all(proofs.phases.map((phase, i) => completeVerification(embedded[i], phase, registry))));
  }

  private proofOptions(options: VerifyCallOptions): ProofOptions {
    return {
      documentLoader: this.deps.documentLoader,
      knownContexts: this.deps.knownContexts,
      ...(options.checks ? { checks: options.checks } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.inlineContexts ? { inlineContexts: true } : {}),
      ...(this.deps.resourceBytes ? { resourceBytes: this.deps.resourceBytes } : {}),
    };
  }

  private registryOptions(options: VerifyCallOptions): RegistryOptions {
    return {
      lookupIssuer: this.deps.lookupIssuer,
      ...(this.deps.checkRegistry ? { checkRegistry: this.deps.checkRegistry } : {}),
      ...(this.deps.signingKey ? { signingKey: this.deps.signingKey } : {}),
      ...(this.hooks.checkStatus ? { checkStatus: this.hooks.checkStatus } : {}),
      ...(options.checks ? { checks: options.checks } : {}),
    };
  }

  /** proofOptions as a worker rebuilds them: the worker's own bundled contexts stand for knownContexts and resourceBytes. */
  private jobOptions(options: VerifyCallOptions): CredentialJobOptions {
    return {
      ...(options.checks ? { checks: [...options.checks] } : {}),
      ...(options.now ? { now: options.now.toISOString() } : {}),
      ...(options.inlineContexts ? { inlineContexts: true } : {}),
      resourceBytes: this.deps.resourceBytes !== undefined,
    };
  }

  async find(id: string, executor: Executor = this.deps.db.kysely): Promise<StoredCredential | undefined> {
    const row = await executor.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      issuerId: row.issuer_id,
      document: JSON.parse(row.document) as SignedCredential,
      holderUserId: row.holder_user_id,
      caseId: row.case_id,
      qualificationId: row.qualification_id,
      createdAt: row.created_at,
    };
  }
}

/** Whether an RFC 6901 JSON pointer resolves to a value of the document. */
function pointsInto(document: unknown, pointer: string): boolean {
  if (pointer === '') return true;
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(token) && Number(token) < node.length) node = node[Number(token)];
    else if (node !== null && typeof node === 'object' && !Array.isArray(node) && Object.hasOwn(node, token)) node = (node as Record<string, unknown>)[token];
    else return false;
  }
  return true;
}
