import type { Executor } from '../db/database.js';
import type { ReissueKind, RevocationReason, StatusListKind } from './tables.js';

export interface Revocation {
  credentialId: string;
  reason: RevocationReason;
  note: string | null;
  revokedBy: string;
  revokedAt: string;
}

export interface CredentialHistory {
  credentialId: string;
  issuerId: string;
  status: { statusListCredential: string; statusListIndex: string } | null;
  revocation: Revocation | null;
  /** The credential that superseded this one, if any. */
  replacedBy: { id: string; kind: ReissueKind; at: string } | null;
  /** The credential this one superseded, if any. */
  replaces: { id: string; kind: ReissueKind; at: string } | null;
}

export async function findRevocation(ex: Executor, credentialId: string): Promise<Revocation | undefined> {
  const row = await ex.selectFrom('revocations').selectAll().where('credential_id', '=', credentialId).executeTakeFirst();
  return row
    ? { credentialId: row.credential_id, reason: row.reason, note: row.note, revokedBy: row.revoked_by, revokedAt: row.revoked_at }
    : undefined;
}

/** The revocation behind a set bit, if this instance recorded it. */
export async function revocationAt(ex: Executor, listId: string, idx: number): Promise<Revocation | undefined> {
  const row = await ex
    .selectFrom('status_entries')
    .innerJoin('revocations', 'revocations.credential_id', 'status_entries.credential_id')
    .selectAll('revocations')
    .where('status_entries.list_id', '=', listId)
    .where('status_entries.idx', '=', idx)
    .executeTakeFirst();
  return row
    ? { credentialId: row.credential_id, reason: row.reason, note: row.note, revokedBy: row.revoked_by, revokedAt: row.revoked_at }
    : undefined;
}

export async function revokedIndices(ex: Executor, listId: string): Promise<number[]> {
  const rows = await ex
    .selectFrom('status_entries')
    .innerJoin('revocations', 'revocations.credential_id', 'status_entries.credential_id')
    .select('status_entries.idx')
    .where('status_entries.list_id', '=', listId)
    .execute();
  return rows.map((r) => r.idx);
}

export async function credentialHistory(ex: Executor, credentialId: string, publicStatusUrl: (listId: string) => string): Promise<Omit<CredentialHistory, 'issuerId'>> {
  const [entry, revocation, replacedBy, replaces] = await Promise.all([
    ex.selectFrom('status_entries').select(['list_id', 'idx']).where('credential_id', '=', credentialId).executeTakeFirst(),
    findRevocation(ex, credentialId),
    ex.selectFrom('credential_links').selectAll().where('replaced_id', '=', credentialId).executeTakeFirst(),
    ex.selectFrom('credential_links').selectAll().where('replacement_id', '=', credentialId).executeTakeFirst(),
  ]);
  return {
    credentialId,
    status: entry ? { statusListCredential: publicStatusUrl(entry.list_id), statusListIndex: String(entry.idx) } : null,
    revocation: revocation ?? null,
    replacedBy: replacedBy ? { id: replacedBy.replacement_id, kind: replacedBy.kind, at: replacedBy.created_at } : null,
    replaces: replaces ? { id: replaces.replaced_id, kind: replaces.kind, at: replaces.created_at } : null,
  };
}

/**
 * Every status list credential as last signed, for the trust bundle, with its kind: an offline verifier recognises
 * a registry award by its entry in an `award` list. Lists from before migration 0009 also hold credentials signed
 * through the VC API; every entry of an award list without an award record is listed in `nonAwardIndices`, so
 * only a credential with an award record is ever recognised as one. Callers that publish a bundle should first run
 * `StatusService.refreshStale()` so that no snapshot starts out close to its validUntil.
 */
export async function exportStatusSnapshots(
  ex: Executor,
): Promise<Array<{ url: string; validUntil: string; credential: Record<string, unknown>; kind: StatusListKind; nonAwardIndices?: number[] }>> {
  const rows = await ex.selectFrom('status_lists').select(['id', 'credential', 'valid_until', 'kind']).orderBy('created_at').orderBy('id').execute();
  const exceptions = await ex
    .selectFrom('status_entries')
    .innerJoin('status_lists', 'status_lists.id', 'status_entries.list_id')
    .leftJoin('awards', 'awards.credential_id', 'status_entries.credential_id')
    .select(['status_entries.list_id', 'status_entries.idx'])
    .where('status_lists.kind', '=', 'award')
    .where('awards.credential_id', 'is', null)
    .orderBy('status_entries.idx')
    .execute();
  const byList = new Map<string, number[]>();
  for (const e of exceptions) byList.set(e.list_id, [...(byList.get(e.list_id) ?? []), e.idx]);
  return rows.map((r) => {
    const credential = JSON.parse(r.credential) as Record<string, unknown>;
    const nonAward = byList.get(r.id);
    return { url: credential.id as string, validUntil: r.valid_until, credential, kind: r.kind, ...(nonAward ? { nonAwardIndices: nonAward } : {}) };
  });
}
