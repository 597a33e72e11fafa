import crypto from 'node:crypto';
import type { Db, Executor } from '../db/database.js';
import { nowIso } from '../db/database.js';
import type { StatusEntry } from '../credentials/build.js';
import { warn, type Check } from '../credentials/checks.js';
import type { CredentialService, StoredCredential } from '../credentials/service.js';
import { signCredential, type SignedCredential } from '../credentials/sign.js';
import { TandaError } from '../errors.js';
import { getQualification } from '../frameworks/catalogue-repository.js';
import { findIssuerByDid } from '../issuers/issuers.js';
import type { DocumentLoader } from '../jsonld/loader.js';
import type { KeyStore } from '../keys/key-store.js';
import { claimRandomIndex, newListId } from './allocation.js';
import { checkStatusEntry, revocationEntry } from './check.js';
import { correctedCredential, successorDraft, type Corrections } from './corrections.js';
import { isoSeconds, validUntilFor } from './expiry.js';
import { buildListCredential, STATUS_LIST_LENGTH, STATUS_LIST_TTL_MS } from './list-credential.js';
import { verifyListCredential } from './list-signature.js';
import { credentialHistory, findRevocation, revocationAt, revokedIndices, type CredentialHistory, type Revocation } from './repository.js';
import type { ReissueKind, RevocationReason, StatusListKind, StatusListsTable } from './tables.js';
import { listIdFromUrl, statusListUrl } from './urls.js';
import { authorize, isOperator, type Actor } from '../policy/policy.js';
import { carryAwardOver } from '../awards/award-service.js';

const PARSED_LISTS_MAX = 1000;

export const REVOCATION_REASONS: readonly RevocationReason[] = ['fraud', 'error', 'superseded', 'other'];

export interface StatusServiceDeps {
  db: Db;
  keys: KeyStore;
  documentLoader: DocumentLoader;
  credentials: CredentialService;
  publicUrl: string;
  /** Called once a revocation (or a re-issue, which revokes) has committed: caches built from the lists must go. */
  changed?: () => void;
  /** Entries per list; the default is the W3C minimum. Smaller lists exist only to test what happens when one fills. */
  listLength?: number;
  ttlMs?: number;
  now?: () => Date;
}

/**
 * Who acts, as the policy sees them (src/policy decides what they may do), and what the records name: `by` defaults
 * to the actor's id; the CLI's operator gives `cli:<os user>`.
 */
export type StatusActor = Actor & { by?: string };
const recordedBy = (actor: StatusActor): string => actor.by ?? actor.id;

export interface ReissueInput {
  credentialId: string;
  actor: StatusActor;
  corrections: Omit<Corrections, 'validity'>;
  /** Renewal: a new validity period from now, of `validityYears` or else the qualification's rule. */
  renew?: { validityYears?: number } | undefined;
  note?: string | null | undefined;
}

export interface AwardEntryInfo {
  issuerId: string;
  kind: StatusListKind;
  /** The entry is held by a credential with an award record (false for an unused index or a pre-0009 exception). */
  entryIsAward: boolean;
}

export interface ListDocument {
  credential: Record<string, unknown>;
  text: string;
  etag: string;
  validUntil: string;
}

/**
 * Revocation status with W3C Bitstring Status Lists: allocation of random indices at issuance, the signed list
 * credentials (cached in the database, re-signed on every change), revocation, re-issue and the status check.
 */
export class StatusService {
  private readonly length: number;
  private readonly ttlMs: number;
  private readonly now: () => Date;
  /** The etag of each list whose signature this process has checked; a list is re-verified only when it changes. */
  private readonly verifiedEtags = new Map<string, string>();
  /** Each list as last parsed, with the etag it had: the status check re-reads only the etag (see currentList). */
  private readonly parsedLists = new Map<string, { etag: string; credential: Record<string, unknown> }>();

  constructor(private readonly deps: StatusServiceDeps) {
    this.length = deps.listLength ?? STATUS_LIST_LENGTH;
    this.ttlMs = deps.ttlMs ?? STATUS_LIST_TTL_MS;
    this.now = deps.now ?? (() => new Date());
  }

  listUrl(listId: string): string {
    return statusListUrl(this.deps.publicUrl, listId);
  }

  /**
   * The `allocateStatus` hook: a random free index in the issuer's open list of the kind, inside the issuing
   * transaction. Awards and VC API credentials never share a list, so the list an entry is in says which it is.
   */
  async allocate(tx: Executor, input: { issuerId: string; credentialId: string; kind: StatusListKind }): Promise<StatusEntry> {
    const key = await this.deps.keys.currentKey(input.issuerId, tx);
    for (let attempt = 0; attempt < 5; attempt++) {
      const list = await this.openList(tx, input.issuerId, key.issuerDid, input.kind);
      const idx = await claimRandomIndex(tx, list.id, list.length, input.credentialId, nowIso());
      if (idx !== undefined) {
        return { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(idx), statusListCredential: this.listUrl(list.id) };
      }
      await tx.updateTable('status_lists').set({ filled_at: nowIso() }).where('id', '=', list.id).where('filled_at', 'is', null).execute();
    }
    throw new TandaError('internal', 'no status list index could be allocated');
  }

  /**
   * The URL of the body's open award list under its current key, opened (and signed) now when it has none: the QR
   * type tables name it before the body's first award, so a verifier that refreshed since can decode that award.
   */
  async openAwardListUrl(tx: Executor, issuerId: string): Promise<string> {
    const key = await this.deps.keys.currentKey(issuerId, tx);
    return this.listUrl((await this.openList(tx, issuerId, key.issuerDid, 'award')).id);
  }

  /**
   * What the registry knows about a status list URL of this instance, for the `registry_award` check: its kind, the
   * body that publishes it, and whether the entry at `index` belongs to an award.
   */
  async awardEntry(url: string, index: number): Promise<AwardEntryInfo | undefined> {
    const listId = listIdFromUrl(this.deps.publicUrl, url);
    if (!listId) return undefined;
    const list = await this.deps.db.kysely.selectFrom('status_lists').select(['issuer_id', 'kind']).where('id', '=', listId).executeTakeFirst();
    if (!list) return undefined;
    const entry = await this.deps.db.kysely
      .selectFrom('status_entries')
      .leftJoin('awards', 'awards.credential_id', 'status_entries.credential_id')
      .select(['status_entries.credential_id', 'awards.credential_id as award_id'])
      .where('status_entries.list_id', '=', listId)
      .where('status_entries.idx', '=', index)
      .executeTakeFirst();
    return { issuerId: list.issuer_id, kind: list.kind, entryIsAward: list.kind === 'award' && entry?.award_id != null };
  }

  /** Revokes in its own transaction; the list is re-signed before it commits. */
  async revoke(input: { credentialId: string; actor: StatusActor; reason: RevocationReason; note?: string | null | undefined }): Promise<Revocation> {
    const stored = await this.authorizedCredential(input.credentialId, input.actor, 'revoke');
    const done = await this.deps.db.kysely.transaction().execute((tx) =>
      this.revokeIn(tx, { credentialId: stored.id, reason: input.reason, note: input.note ?? null, by: recordedBy(input.actor) }),
    );
    this.deps.changed?.();
    return done;
  }

  /**
   * Records the revocation and re-signs the credential's list in the caller's transaction. Final: the primary key
   * on revocations turns a second attempt (even a concurrent one) into `already_revoked`.
   */
  async revokeIn(tx: Executor, input: { credentialId: string; reason: RevocationReason; note: string | null; by: string }): Promise<Revocation> {
    if (!REVOCATION_REASONS.includes(input.reason)) throw new TandaError('validation_failed', `reason must be one of ${REVOCATION_REASONS.join(', ')}`);
    // A credential without an entry was signed without one (before every issuance got one): recording a revocation
    // no verifier can see would tell the caller something false.
    const entry = await tx.selectFrom('status_entries').select('list_id').where('credential_id', '=', input.credentialId).executeTakeFirst();
    if (!entry) throw new TandaError('not_revocable', 'the credential was issued without a status entry, so it cannot be revoked; re-issuing it is refused for the same reason');
    const revokedAt = nowIso();
    const inserted = await tx
      .insertInto('revocations')
      .values({ credential_id: input.credentialId, reason: input.reason, note: input.note, revoked_by: input.by, revoked_at: revokedAt })
      .onConflict((oc) => oc.column('credential_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) {
      const existing = await findRevocation(tx, input.credentialId);
      throw new TandaError('already_revoked', `the credential was already revoked on ${existing?.revokedAt ?? 'an earlier date'}`, { details: existing });
    }
    await this.regenerate(tx, entry.list_id, true);
    return { credentialId: input.credentialId, reason: input.reason, note: input.note, revokedBy: input.by, revokedAt };
  }

  /**
   * A corrected (or renewed) credential replaces the original: issued, the original revoked as `superseded` and the
   * two linked, all in the issuing transaction, so there is never a moment with both valid or neither.
   */
  async reissue(input: ReissueInput): Promise<{ credential: SignedCredential; replaced: string; kind: 'correction' | 'renewal' }> {
    const stored = await this.authorizedCredential(input.credentialId, input.actor, 'reissue');
    const revoked = await findRevocation(this.deps.db.kysely, stored.id);
    if (revoked) throw new TandaError('already_revoked', `the credential was revoked on ${revoked.revokedAt}; re-issue its replacement instead`);
    const kind = input.renew ? 'renewal' : 'correction';
    let validity: Corrections['validity'];
    if (input.renew) {
      const years = input.renew.validityYears ?? (await this.validityYears(stored));
      if (!years) throw new TandaError('validation_failed', 'the qualification has no validity rule; give validityYears to renew');
      const validFrom = isoSeconds(this.now());
      validity = { validFrom, validUntil: validUntilFor(validFrom, years) };
    }
    const key = await this.deps.keys.currentKey(stored.issuerId);
    const draft = correctedCredential(stored.document, { ...input.corrections, ...(validity ? { validity } : {}) }, key.issuerDid);
    const credential = await this.replace(stored, draft, { kind, by: recordedBy(input.actor), issuedBy: isOperator(input.actor) ? null : input.actor.id, note: input.note ?? null });
    return { credential, replaced: stored.id, kind };
  }

  /**
   * The same award signed again by the body's current key, for a credential whose key was compromised: only the id,
   * the proof and the status entry change. The original is revoked as superseded in the issuing transaction, where
   * `afterStore` also runs (the holder's notice, the audit), so the replacement and its traces exist together or not
   * at all. A second attempt on the same original fails with `already_revoked` and leaves nothing behind. The caller
   * was authorized for the compromise of the key (`compromise_key` on the body), which is what allows this re-issue.
   */
  async reissueUnderCurrentKey(
    credentialId: string,
    recorder: { by: string; userId: string | null },
    options: { note: string; afterStore?: (tx: Executor, signed: SignedCredential, replaced: StoredCredential) => Promise<void> },
  ): Promise<{ credential: SignedCredential; replaced: string }> {
    const stored = await this.findCredential(credentialId);
    if (!stored) throw new TandaError('not_found', 'no credential with that id');
    const key = await this.deps.keys.currentKey(stored.issuerId);
    const credential = await this.replace(stored, successorDraft(stored.document, key.issuerDid), {
      kind: 'key_compromise',
      by: recorder.by,
      issuedBy: recorder.userId,
      note: options.note,
      ...(options.afterStore ? { afterStore: (tx: Executor, signed: SignedCredential) => options.afterStore!(tx, signed, stored) } : {}),
    });
    return { credential, replaced: stored.id };
  }

  /** Issues `draft` as the successor of `stored`: the original revoked as superseded, the two linked, the award carried over. */
  private async replace(
    stored: StoredCredential,
    draft: Record<string, unknown>,
    options: { kind: ReissueKind; by: string; issuedBy: string | null; note: string | null; afterStore?: (tx: Executor, signed: SignedCredential) => Promise<void> },
  ): Promise<SignedCredential> {
    const { kind } = options;
    const signed = await this.deps.credentials.issue(draft, {
      issuerId: stored.issuerId,
      issuedBy: options.issuedBy,
      qualificationId: stored.qualificationId,
      caseId: stored.caseId,
      holderUserId: stored.holderUserId,
      // The successor of an award is an award (carryAwardOver copies its record); of anything else, it is not.
      kind: (await this.isAward(stored.id)) ? 'award' : 'general',
      afterStore: async (tx, signed) => {
        const replacementId = signed.id as string;
        // A compromised key's credential from before every credential had a status entry cannot be revoked; it fails
        // verification anyway (its key is compromised), so it is replaced without one and the link marks it done.
        const revocable = kind !== 'key_compromise' || (await tx.selectFrom('status_entries').select('list_id').where('credential_id', '=', stored.id).executeTakeFirst()) !== undefined;
        if (revocable) await this.revokeIn(tx, { credentialId: stored.id, reason: 'superseded', note: options.note ?? `replaced by ${replacementId}`, by: options.by });
        await tx
          .insertInto('credential_links')
          .values({ replaced_id: stored.id, replacement_id: replacementId, kind, created_by: options.by, created_at: nowIso() })
          .execute();
        await carryAwardOver(tx, stored.id, signed);
        await options.afterStore?.(tx, signed);
      },
    });
    this.deps.changed?.();
    return signed;
  }

  /**
   * Re-signs every status list of a body with its current key, in the caller's transaction: after a compromise no
   * list may stay signed by the stolen key (whoever holds it could otherwise publish an "unrevoked" list as ours).
   */
  async resignLists(tx: Executor, issuerId: string): Promise<number> {
    const lists = await tx.selectFrom('status_lists').select('id').where('issuer_id', '=', issuerId).orderBy('id').execute();
    for (const list of lists) await this.regenerate(tx, list.id, true);
    return lists.length;
  }

  /** What replaced a credential, what it replaced, and its revocation (the reason's note only for its body's staff). */
  async history(credentialId: string): Promise<CredentialHistory | undefined> {
    const stored = await this.findCredential(credentialId);
    if (!stored) return undefined;
    return { ...(await credentialHistory(this.deps.db.kysely, stored.id, (id) => this.listUrl(id))), issuerId: stored.issuerId };
  }

  /** A credential by its id or bare UUID, as the VC API's routes accept it. */
  async findCredential(id: string): Promise<StoredCredential | undefined> {
    return (await this.deps.credentials.find(id)) ?? (id.startsWith('urn:') ? undefined : this.deps.credentials.find(`urn:uuid:${id}`));
  }

  /** The signed list, re-signed first when less than half its TTL is left. */
  async listDocument(listId: string): Promise<ListDocument | undefined> {
    let row = await this.deps.db.kysely.selectFrom('status_lists').selectAll().where('id', '=', listId).executeTakeFirst();
    if (!row) return undefined;
    if (this.needsRefresh(row)) {
      row = await this.deps.db.kysely.transaction().execute((tx) => this.regenerate(tx, listId, false));
    }
    return { credential: JSON.parse(row.credential) as Record<string, unknown>, text: row.credential, etag: row.etag, validUntil: row.valid_until };
  }

  /**
   * The signed list as the status check needs it. Every revocation re-signs its list in its own transaction, which
   * changes the etag, so reading the etag on every check still sees a revocation (made here, by another instance or
   * by the CLI) the moment it commits; only the document (the signed text to read and parse) is reused while the
   * etag stays the same.
   */
  private async currentList(listId: string): Promise<{ etag: string; credential: Record<string, unknown> } | undefined> {
    const head = await this.deps.db.kysely.selectFrom('status_lists').select(['etag', 'valid_until']).where('id', '=', listId).executeTakeFirst();
    if (!head) return undefined;
    const known = this.parsedLists.get(listId);
    if (known?.etag === head.etag && !this.needsRefresh(head)) return known;
    const list = await this.listDocument(listId);
    if (!list) return undefined;
    const parsed = { etag: list.etag, credential: list.credential };
    // Bounded by the lists a deployment has (a few per body); the oldest entry goes first past that.
    if (!this.parsedLists.has(listId) && this.parsedLists.size >= PARSED_LISTS_MAX) this.parsedLists.delete(this.parsedLists.keys().next().value!);
    this.parsedLists.set(listId, parsed);
    return parsed;
  }

  /** For the document loader: this instance's status list URLs resolve to the lists it holds, never the network. */
  async documentFor(url: string): Promise<object | undefined> {
    const listId = listIdFromUrl(this.deps.publicUrl, url);
    return listId ? (await this.listDocument(listId))?.credential : undefined;
  }

  /** Re-signs every list that is less than half its TTL from expiry (before a trust bundle is published). */
  async refreshStale(): Promise<number> {
    const rows = await this.deps.db.kysely.selectFrom('status_lists').selectAll().execute();
    let refreshed = 0;
    for (const row of rows.filter((r) => this.needsRefresh(r))) {
      await this.deps.db.kysely.transaction().execute((tx) => this.regenerate(tx, row.id, false));
      refreshed++;
    }
    return refreshed;
  }

  /**
   * The `checkStatus` hook. The list is this instance's own, re-signed in the transaction of every revocation, so it
   * is current as of now; its signature is still checked, as any verifier would, before its bit is read.
   */
  async checkStatus(credential: Record<string, unknown>): Promise<Check> {
    const entry = revocationEntry(credential);
    if (!entry) return warn('status', 'status_unknown', 'status unknown: the credential has no usable revocation entry');
    const listId = listIdFromUrl(this.deps.publicUrl, entry.statusListCredential);
    const list = listId ? await this.currentList(listId) : undefined;
    if (!listId || !list) {
      return checkStatusEntry({ credential, listCredential: undefined, now: this.now() });
    }
    if (this.verifiedEtags.get(listId) !== list.etag) {
      const signature = await verifyListCredential(list.credential, this.deps.documentLoader);
      if (!signature.verified) return checkStatusEntry({ credential, listCredential: list.credential, now: this.now(), listProof: signature });
      this.verifiedEtags.set(listId, list.etag);
    }
    const now = this.now();
    const credentialIssuer = typeof credential.issuer === 'string' ? credential.issuer : (credential.issuer as { id?: string } | undefined)?.id;
    const listIssuer = list.credential.issuer as string;
    const same = credentialIssuer === listIssuer || (await this.sameBody(credentialIssuer, listIssuer));
    const check = await checkStatusEntry({ credential, listCredential: list.credential, now, asOf: isoSeconds(now), sameIssuer: () => same });
    if (check.code !== 'revoked') return check;
    const revocation = await revocationAt(this.deps.db.kysely, listId, Number(entry.statusListIndex));
    if (!revocation) return check;
    // Only "superseded" is shown to verifiers: other reasons (fraud, error) stay in the issuer's audit.
    const replaced = revocation.reason === 'superseded' ? ', replaced by a newer credential' : '';
    return {
      ...check,
      message: `revoked on ${revocation.revokedAt}${replaced}`,
      data: { ...check.data, revokedAt: revocation.revokedAt, ...(replaced ? { reason: 'superseded' } : {}) },
    };
  }

  private async isAward(credentialId: string): Promise<boolean> {
    return (await this.deps.db.kysely.selectFrom('awards').select('credential_id').where('credential_id', '=', credentialId).executeTakeFirst()) !== undefined;
  }

  private async sameBody(a: string | undefined, b: string): Promise<boolean> {
    if (!a) return false;
    const [x, y] = await Promise.all([findIssuerByDid(this.deps.db.kysely, a), findIssuerByDid(this.deps.db.kysely, b)]);
    return x !== undefined && x.id === y?.id;
  }

  private needsRefresh(row: Pick<StatusListsTable, 'valid_until'>): boolean {
    return Date.parse(row.valid_until) - this.now().getTime() < this.ttlMs / 2;
  }

  /** The credential, if it exists and the policy lets the actor do `action` to it (another body's: not found). */
  private async authorizedCredential(credentialId: string, actor: Actor, action: 'revoke' | 'reissue'): Promise<StoredCredential> {
    const stored = await this.findCredential(credentialId);
    if (!stored) throw new TandaError('not_found', 'no credential with that id');
    authorize(actor, action, { kind: 'credential', issuerId: stored.issuerId, holderUserId: stored.holderUserId });
    return stored;
  }

  private async validityYears(stored: StoredCredential): Promise<number | null> {
    const achievement = (stored.document.credentialSubject as { achievement?: { id?: unknown } } | undefined)?.achievement;
    for (const id of [stored.qualificationId, typeof achievement?.id === 'string' ? achievement.id : null]) {
      if (!id) continue;
      const q = await getQualification(this.deps.db.kysely, id);
      if (q) return q.validityYears;
    }
    return null;
  }

  /** The open list for the issuer's current DID, creating (and signing) one when there is none. */
  private async openList(tx: Executor, issuerId: string, issuerDid: string, kind: StatusListKind): Promise<Pick<StatusListsTable, 'id' | 'length'>> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const open = await tx
        .selectFrom('status_lists')
        .select(['id', 'length'])
        .where('issuer_id', '=', issuerId)
        .where('issuer_did', '=', issuerDid)
        .where('purpose', '=', 'revocation')
        .where('kind', '=', kind)
        .where('filled_at', 'is', null)
        .executeTakeFirst();
      if (open) return open;
      const id = newListId();
      const now = this.now();
      const signed = await this.sign(tx, issuerId, id, [], now);
      // A concurrent issuer may open a list first: the partial unique index turns ours into a no-op, and the
      // next select finds theirs (PostgreSQL waits for their commit before deciding the conflict).
      await tx
        .insertInto('status_lists')
        .values({
          id,
          issuer_id: issuerId,
          issuer_did: issuerDid,
          purpose: 'revocation',
          kind,
          length: this.length,
          credential: signed.text,
          etag: signed.etag,
          valid_until: signed.validUntil,
          filled_at: null,
          version: 1,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    throw new TandaError('internal', 'no status list could be opened');
  }

  /**
   * Re-signs a list from the revocations table. The version bump comes first: on PostgreSQL it locks the row until
   * commit, so concurrent revocations on one list re-sign one after the other, each seeing the ones before it.
   */
  private async regenerate(tx: Executor, listId: string, force: boolean): Promise<StatusListsTable> {
    await tx
      .updateTable('status_lists')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', listId)
      .execute();
    const row = await tx.selectFrom('status_lists').selectAll().where('id', '=', listId).executeTakeFirstOrThrow();
    if (!force && !this.needsRefresh(row)) return row;
    const now = this.now();
    const signed = await this.sign(tx, row.issuer_id, listId, await revokedIndices(tx, listId), now, row.length);
    const updated = { credential: signed.text, etag: signed.etag, valid_until: signed.validUntil, updated_at: now.toISOString() };
    await tx.updateTable('status_lists').set(updated).where('id', '=', listId).execute();
    return { ...row, ...updated };
  }

  private async sign(tx: Executor, issuerId: string, listId: string, revoked: number[], now: Date, length = this.length) {
    const key = await this.deps.keys.currentKey(issuerId, tx);
    const unsigned = await buildListCredential({ url: this.listUrl(listId), issuerDid: key.issuerDid, length, revoked, now, ttlMs: this.ttlMs });
    const signed = await signCredential(unsigned, { signer: key.signer, documentLoader: this.deps.documentLoader });
    const text = JSON.stringify(signed);
    const etag = `"${crypto.createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
    return { text, etag, validUntil: signed.validUntil as string };
  }
}
