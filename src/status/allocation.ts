import crypto from 'node:crypto';
import type { Executor } from '../db/database.js';

/** Random probes before falling back to an exact pick: with a list under 87 % full, 8 misses in a row is < 1 %. */
const RANDOM_PROBES = 8;

/**
 * Claims a uniformly random free index of a list for a credential, or returns undefined when the list is full.
 * Indices are random, not sequential, so a position reveals neither issuance order nor volume. The (list_id, idx)
 * primary key arbitrates between concurrent transactions: ON CONFLICT DO NOTHING reports a lost race as zero rows
 * (on PostgreSQL without aborting the transaction, as a failed INSERT would), and the caller's draw is repeated.
 */
export async function claimRandomIndex(tx: Executor, listId: string, length: number, credentialId: string, now: string): Promise<number | undefined> {
  const claim = async (idx: number): Promise<boolean> => {
    const result = await tx
      .insertInto('status_entries')
      .values({ list_id: listId, idx, credential_id: credentialId, created_at: now })
      .onConflict((oc) => oc.columns(['list_id', 'idx']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  };
  for (let i = 0; i < RANDOM_PROBES; i++) {
    const idx = crypto.randomInt(length);
    if (await claim(idx)) return idx;
  }
  // A dense list: draw among the indices still free (one read of the used ones) rather than probe blindly.
  const used = await tx.selectFrom('status_entries').select('idx').where('list_id', '=', listId).execute();
  if (used.length >= length) return undefined;
  const taken = new Uint8Array(length);
  for (const u of used) taken[u.idx] = 1;
  const free: number[] = [];
  for (let i = 0; i < length; i++) if (!taken[i]) free.push(i);
  while (free.length) {
    const j = crypto.randomInt(free.length);
    const idx = free[j]!;
    if (await claim(idx)) return idx;
    free[j] = free[free.length - 1]!;
    free.pop();
  }
  return undefined;
}

const ID_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** A short list id (8 characters, 40 bits): the URL stays short in the QR code and says nothing about its issuer. */
export function newListId(): string {
  let id = '';
  for (let i = 0; i < 8; i++) id += ID_ALPHABET[crypto.randomInt(ID_ALPHABET.length)];
  return id;
}
