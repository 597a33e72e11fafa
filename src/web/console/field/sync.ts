import { signal } from '@preact/signals';
import type { SyncResult as SyncAnswer } from '../../../console/sync.js';
import { ApiError, OfflineError } from '../../api.js';
import { call, online } from '../shell.js';
import { change, uploadEvidence } from './http.js';
import type { EvidenceView } from './model.js';
import type { SyncEvent } from '../../../console/sync.js';
import { acknowledge, isUnlocked, photoBytes, readEvents, readPackage, recount, savePackage, type CaseDecisionPayload, type DecisionPayload, type OpenedEvent, type PhotoPayload } from './store.js';

/*
 * Sends what the device recorded once the connection is back: photos first (each with its event id as the
 * Idempotency-Key, so a retry after a lost answer uploads it once), then the unit decisions of each case in the order
 * they were recorded (POST /console/sync), the case's decision after them in the same request (the server decides
 * only when it applied them). An event is synced only when the server says applied or duplicate; a
 * conflict (the case changed meanwhile) is kept on the server's conflict review list for a person to apply or
 * discard. A dropped connection or a server error leaves everything pending and tries again with backoff.
 */

export const syncing = signal(false);
export const lastSyncError = signal<string | null>(null);
/** Open conflicts on the server for this person (null: not known, e.g. offline). */
export const serverConflicts = signal<number | null>(null);

let attempt = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let running: Promise<void> | undefined;

/** Retry after a failure: 1 s, 2 s, 4 s … up to a minute, with jitter so a roomful of devices do not all call at once. */
function retryLater(): void {
  clearTimeout(timer);
  const delay = Math.min(60_000, 1000 * 2 ** attempt) * (0.75 + Math.random() / 2);
  attempt++;
  timer = setTimeout(() => void syncNow(), delay);
}

addEventListener('online', () => {
  attempt = 0;
  void syncNow();
});

let again = false;
/** Runs a sync pass; asked while one is under way, another follows it (an entry recorded meanwhile is not left waiting). */
export function syncNow(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = pass().finally(() => {
    running = undefined;
    if (again) {
      again = false;
      void syncNow();
    }
  });
  return running;
}

/** Not an answer about the entry: try again later (a signed-out session waits for the next sign-in instead). */
const transient = (e: unknown) =>
  e instanceof OfflineError || (e instanceof ApiError && (e.status >= 500 || e.status === 401 || e.status === 429 || e.code === 'idempotency_key_in_flight'));

async function pass(): Promise<void> {
  if (!isUnlocked() || !online.value) return;
  syncing.value = true;
  try {
    const events = await readEvents();
    const pending = events.filter((e) => !e.ack);
    const photoIds = new Map(events.filter((e) => e.event.kind === 'photo' && e.ack?.evidenceId).map((e) => [e.event.id, e.ack!.evidenceId!]));
    const refusedPhotos = new Set(events.filter((e) => e.event.kind === 'photo' && e.ack?.status === 'refused').map((e) => e.event.id));

    for (const p of pending.filter((e) => e.event.kind === 'photo') as Array<OpenedEvent<PhotoPayload>>) {
      const bytes = await photoBytes(p.event.id);
      if (!bytes) continue;
      try {
        const item = await uploadEvidence<EvidenceView>(p.event.caseId, new Blob([bytes], { type: p.payload.type }), p.payload, p.event.id);
        await acknowledge({ eventId: p.event.id, status: 'applied', evidenceId: item.id });
        photoIds.set(p.event.id, item.id);
      } catch (e) {
        if (transient(e)) throw e;
        const code = e instanceof ApiError ? e.code : 'error';
        await acknowledge({ eventId: p.event.id, status: 'refused', reason: code });
        refusedPhotos.add(p.event.id);
      }
    }

    type Recorded = OpenedEvent<DecisionPayload> | OpenedEvent<CaseDecisionPayload>;
    const decisions = pending.filter((e) => e.event.kind !== 'photo') as Recorded[];
    const byCase = new Map<string, Recorded[]>();
    for (const d of decisions) byCase.set(d.event.caseId, [...(byCase.get(d.event.caseId) ?? []), d]);
    for (const [caseId, list] of byCase) {
      const batch: SyncEvent[] = [];
      // A unit decision left for a later pass holds back the case's decision, which must reach the server after it.
      let held = false;
      for (const r of list) {
        if (r.event.kind === 'case_decision') {
          const c = r as OpenedEvent<CaseDecisionPayload>;
          if (held) continue;
          batch.push({
            id: c.event.id,
            caseId,
            baseVersion: c.payload.baseVersion,
            ...(c.payload.packageId ? { packageId: c.payload.packageId } : {}),
            recordedAt: c.event.recordedAt,
            type: 'case_decision',
            unitEventIds: c.payload.unitEventIds,
          });
          continue;
        }
        const d = r as OpenedEvent<DecisionPayload>;
        const local = d.payload.unit.evidenceIds.filter((x) => x.startsWith('local:')).map((x) => x.slice(6));
        const refused = local.find((x) => refusedPhotos.has(x));
        if (refused) {
          // The judgement relied on a photo the server refused: sending it without the photo would change it.
          await acknowledge({ eventId: d.event.id, status: 'refused', reason: 'evidence_refused' });
          continue;
        }
        if (local.some((x) => !photoIds.has(x))) {
          held = true; // its photo is not uploaded yet: next pass
          continue;
        }
        const evidenceIds = d.payload.unit.evidenceIds.map((x) => (x.startsWith('local:') ? photoIds.get(x.slice(6))! : x));
        batch.push({
          id: d.event.id,
          caseId,
          baseVersion: d.payload.baseVersion,
          ...(d.payload.packageId ? { packageId: d.payload.packageId } : {}),
          recordedAt: d.event.recordedAt,
          type: 'unit_decision',
          assessedOn: d.payload.assessedOn,
          ...(d.payload.centreId ? { centreId: d.payload.centreId } : {}),
          ...(d.payload.country ? { country: d.payload.country } : {}),
          unit: { ...d.payload.unit, evidenceIds },
        });
      }
      if (!batch.length) continue;
      let answer: SyncAnswer;
      try {
        answer = await change<SyncAnswer>('POST', '/console/sync', { events: batch });
      } catch (e) {
        if (transient(e)) throw e;
        // The server refused the batch as a whole: kept on the device with the reason, never dropped.
        for (const b of batch) await acknowledge({ eventId: b.id, status: 'refused', reason: e instanceof ApiError ? e.code : 'error' });
        continue;
      }
      for (const r of answer.results) {
        // A duplicate is the first answer again (the previous one was lost on the way): a conflict stays a conflict.
        const status = r.status === 'duplicate' ? (r.firstStatus === 'conflict' ? 'conflict' : 'duplicate') : r.status;
        await acknowledge({ eventId: r.id, status, ...('conflictId' in r && r.conflictId ? { conflictId: r.conflictId } : {}), ...('reason' in r && r.reason ? { reason: r.reason } : {}) });
      }
      for (const c of answer.cases) {
        const pkg = await readPackage(c.id);
        if (pkg) await savePackage({ ...pkg, kase: { ...pkg.kase, version: c.version, state: c.state as typeof pkg.kase.state } });
      }
    }
    attempt = 0;
    lastSyncError.value = null;
    await refreshConflictCount();
  } catch (e) {
    lastSyncError.value = e instanceof ApiError ? e.code : 'offline';
    if (!(e instanceof ApiError && e.status === 401)) retryLater();
  } finally {
    await recount();
    syncing.value = false;
  }
}

export async function refreshConflictCount(): Promise<void> {
  try {
    serverConflicts.value = (await call<unknown[]>('GET', '/console/conflicts?state=open')).length;
  } catch {
    serverConflicts.value = null;
  }
}
