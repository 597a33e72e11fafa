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
import type { SigningKeyRecord } from './signing-key.js';
import { signCredential, type SignedCredential } from './sign.js';
import { issuerId, verifyCredential, type IssuerInfo, type VcApiCheck, type VerificationResult } from './verify.js';

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
  /** The registry's record of a signing key, read at verification time so a compromise counts at once. */
  signingKey?: (verificationMethod: string) => Promise<SigningKeyRecord | undefined>;
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

  constructor(private readonly deps: CredentialServiceDeps) {}

  /**
   * Signs as the body's current key and stores the result, all in one transaction: a failure anywhere (status
   * allocation, accreditation, signing) leaves no credential row and no used status index behind. The issuance is
   * appended to the audit chain in the same transaction (ids only).
   */
  async issue(credential: Record<string, unknown>, options: IssueOptions): Promise<SignedCredential> {
    const kind = options.kind ?? 'general';
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
    return this.deps.db.kysely.transaction().execute(async (tx) => {
      const key = await this.deps.keys.currentKey(options.issuerId, tx);
      const named = issuerId(credential);
      if (named !== undefined && named !== key.issuerDid) {
        throw new TandaError('issuer_mismatch', `the credential names ${named} as issuer; your certifying body signs as ${key.issuerDid}`);
      }
      const draft: Record<string, unknown> = structuredClone(credential);
      if (named === undefined) draft.issuer = key.issuerDid;
      if (typeof draft.id !== 'string') draft.id = `urn:uuid:${crypto.randomUUID()}`;
      const id = draft.id as string;
      const exists = await tx.selectFrom('credentials').select('id').where('id', '=', id).executeTakeFirst();
      if (exists) throw new TandaError('already_exists', `a credential with id ${id} was already issued`);
      await options.beforeSign?.(tx);
      draft.credentialStatus = await allocateStatus(tx, { issuerId: options.issuerId, credentialId: id, kind });
      // `created` dates the proof: a verifier accepts a retired key's proof only if it was made before the retirement,
      // and checks accreditation at this moment (8 more bytes in the QR code; see docs/verifier.md).
      const signed = await signCredential(draft, { signer: key.signer, documentLoader: this.deps.documentLoader, created: `${nowIso().slice(0, 19)}Z` });
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
  }

  async verify(credential: unknown, options: { checks?: ReadonlyArray<VcApiCheck>; now?: Date } = {}): Promise<VerificationResult> {
    return verifyCredential(credential, {
      documentLoader: this.deps.documentLoader,
      knownContexts: this.deps.knownContexts,
      lookupIssuer: this.deps.lookupIssuer,
      ...(this.deps.checkRegistry ? { checkRegistry: this.deps.checkRegistry } : {}),
      ...(this.deps.signingKey ? { signingKey: this.deps.signingKey } : {}),
      ...(this.hooks.checkStatus ? { checkStatus: this.hooks.checkStatus } : {}),
      ...(options.checks ? { checks: options.checks } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
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
