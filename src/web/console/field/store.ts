import { signal } from '@preact/signals';
import { Dexie, type Table } from 'dexie';
import type { CaseBundle, UnitDecisionInput } from './model.js';
import { newDataKey, open, openBytes, seal, sealBytes, unwrap, type Sealed, type WrappedKey } from './vault.js';

/*
 * The offline assessment day on this device (IndexedDB through Dexie), one database per account, sealed with the
 * vault's key (see vault.ts for the design).
 *
 * - `packages`: the day's cases as they were read from the server (a snapshot, replaced when refreshed).
 * - `events`: what the assessor recorded (unit decisions, the case's decision, photos), APPEND-ONLY: never changed or removed while
 *   the account is signed in here.
 * - `acks`: what the server answered for an event, also append-only. An event is synced only when an ack says the
 *   server applied it (or already had it); a conflict ack hands it to the conflict review list on the server.
 */
export type EventKind = 'unit_decision' | 'case_decision' | 'photo';
export interface StoredEvent extends Sealed {
  seq?: number;
  id: string;
  caseId: string;
  kind: EventKind;
  recordedAt: string;
}
/** applied / duplicate: the server has it; conflict: on the server's review list; refused: kept here with the reason; discarded: a person chose so. */
export type AckStatus = 'applied' | 'duplicate' | 'conflict' | 'refused' | 'discarded';
export interface StoredAck {
  seq?: number;
  eventId: string;
  status: AckStatus;
  at: string;
  /** A photo's evidence id on the server. */
  evidenceId?: string;
  conflictId?: string;
  reason?: string;
}
interface StoredPackage extends Sealed {
  caseId: string;
  savedAt: string;
}
interface Meta {
  key: string;
  value: unknown;
}

/** What a unit decision event carries (sealed). */
export interface DecisionPayload {
  baseVersion: number;
  /**
   * The offline day whose copy of the case the device held when the decision was recorded: the server compares
   * with that day's snapshot. Absent in decisions recorded before the device kept it; those still sync.
   */
  packageId?: string;
  assessedOn: string;
  centreId: string | null;
  country: string | null;
  unit: UnitDecisionInput;
}
/**
 * What a case decision event carries (sealed): the workflow's `decide`, recorded once every core unit had a decision
 * on the device. `unitEventIds`: the unit decision events it rests on (the last per unit), which the server must
 * have applied before it decides.
 */
export interface CaseDecisionPayload {
  baseVersion: number;
  packageId?: string;
  unitEventIds: string[];
}
/** What a photo event carries (sealed; the image apart, as bytes). */
export interface PhotoPayload {
  kind: string;
  title: string;
  fileName: string;
  type: string;
}

class FieldStore extends Dexie {
  meta!: Table<Meta, string>;
  packages!: Table<StoredPackage, string>;
  events!: Table<StoredEvent, number>;
  acks!: Table<StoredAck, number>;
  constructor(name: string) {
    super(name);
    this.version(1).stores({ meta: 'key', packages: 'caseId', events: '++seq, &id, caseId', acks: '++seq, eventId' });
  }
}

let db: FieldStore | undefined;
let dataKey: CryptoKey | undefined;

/** The store's state for the screens: whether it exists and is unlocked, what waits, what conflicts. */
export const vault = signal<{ exists: boolean; unlocked: boolean }>({ exists: false, unlocked: false });
export const counts = signal({ pending: 0, conflicts: 0, offlineCases: 0 });
/** Bumped after every write, so screens that show stored data read it again. */
export const revision = signal(0);

const dbName = (userId: string) => `tanda-console-field-${userId}`;

/** Opens this account's store (no key yet): done at sign-in and after a reload, online or not. */
export async function openStore(userId: string): Promise<void> {
  if (db?.name === dbName(userId)) return;
  db?.close();
  dataKey = undefined;
  db = new FieldStore(dbName(userId));
  await db.open();
  vault.value = { exists: Boolean(await db.meta.get('wrappedKey')), unlocked: false };
  await recount();
}

/**
 * Sign-out: the key is forgotten and this account's store deleted from the device. Entries the server has not
 * confirmed (no connection at sign-out, or refused) are the one exception: deleting them would lose an assessment.
 * Then only the day's packages go, and the sealed entries stay locked until this person signs in here again and
 * unlocks them with the password (they are unreadable without it, see vault.ts). Returns how many stayed.
 */
export async function wipeStore(): Promise<number> {
  dataKey = undefined;
  const d = db;
  db = undefined;
  vault.value = { exists: false, unlocked: false };
  counts.value = { pending: 0, conflicts: 0, offlineCases: 0 };
  if (!d) return 0;
  const acks = new Map((await d.acks.orderBy('seq').toArray()).map((a) => [a.eventId, a.status]));
  const unsent = (await d.events.toArray()).filter((e) => !['applied', 'duplicate', 'conflict', 'discarded'].includes(acks.get(e.id) ?? '')).length;
  if (unsent) {
    await d.packages.clear();
    d.close();
    return unsent;
  }
  d.close();
  await Dexie.delete(d.name);
  return 0;
}

const store = (): FieldStore => {
  if (!db) throw new Error('the offline store is not open');
  return db;
};
const key = (): CryptoKey => {
  if (!dataKey) throw new Error('the offline store is locked');
  return dataKey;
};

/** Unlocks with the password (making the key on first use); false when the password does not open it. */
export async function unlock(password: string): Promise<boolean> {
  const wrapped = (await store().meta.get('wrappedKey'))?.value as WrappedKey | undefined;
  if (wrapped) {
    const k = await unwrap(password, wrapped);
    if (!k) return false;
    dataKey = k;
  } else {
    const made = await newDataKey(password);
    await store().meta.put({ key: 'wrappedKey', value: made.wrapped });
    dataKey = made.key;
  }
  vault.value = { exists: true, unlocked: true };
  revision.value++;
  return true;
}

export const isUnlocked = (): boolean => dataKey !== undefined;

/** Settled acks (applied, duplicate, conflict, refused) by event id: the last word on each event. */
async function ackMap(): Promise<Map<string, StoredAck>> {
  const m = new Map<string, StoredAck>();
  for (const a of await store().acks.orderBy('seq').toArray()) m.set(a.eventId, a);
  return m;
}

export async function recount(): Promise<void> {
  if (!db) return;
  const [events, acks, offlineCases] = await Promise.all([db.events.toArray(), ackMap(), db.packages.count()]);
  counts.value = {
    pending: events.filter((e) => !acks.has(e.id)).length,
    conflicts: events.filter((e) => ['conflict', 'refused'].includes(acks.get(e.id)?.status ?? '')).length,
    offlineCases,
  };
  revision.value++;
}

export async function savePackage(bundle: CaseBundle): Promise<void> {
  await store().packages.put({ caseId: bundle.kase.id, savedAt: bundle.savedAt, ...(await seal(key(), bundle)) });
  await recount();
}

export async function readPackage(caseId: string): Promise<CaseBundle | undefined> {
  const p = await db?.packages.get(caseId);
  return p && dataKey ? open<CaseBundle>(dataKey, p) : undefined;
}

export async function offlineCaseIds(): Promise<string[]> {
  return db ? (await db.packages.toCollection().primaryKeys()) : [];
}

export async function dropPackage(caseId: string): Promise<void> {
  await store().packages.delete(caseId);
  await recount();
}

/** An entry of the case, naming the offline day this device holds the case from (the screens need not know it). */
async function recordEvent(caseId: string, kind: 'unit_decision' | 'case_decision', payload: object): Promise<string> {
  const id = crypto.randomUUID();
  const packageId = (await readPackage(caseId))?.packageId;
  const sealed = await seal(key(), packageId ? { ...payload, packageId } : payload);
  await store().events.add({ id, caseId, kind, recordedAt: new Date().toISOString(), ...sealed });
  await recount();
  return id;
}

export const recordDecision = (caseId: string, payload: Omit<DecisionPayload, 'packageId'>): Promise<string> => recordEvent(caseId, 'unit_decision', payload);

/** The case's decision, after its unit decisions (sync keeps that order). */
export const recordCaseDecision = (caseId: string, payload: Omit<CaseDecisionPayload, 'packageId'>): Promise<string> => recordEvent(caseId, 'case_decision', payload);

/** A photo: its description sealed in the event, its bytes sealed in a second record keyed by the event id. */
export async function recordPhoto(caseId: string, photo: PhotoPayload, bytes: ArrayBuffer): Promise<string> {
  const id = crypto.randomUUID();
  const sealedBytes = await sealBytes(key(), bytes);
  await store().transaction('rw', store().events, store().meta, async () => {
    await store().meta.put({ key: `photo:${id}`, value: sealedBytes });
    await store().events.add({ id, caseId, kind: 'photo', recordedAt: new Date().toISOString(), ...(await seal(key(), photo)) });
  });
  await recount();
  return id;
}

export async function photoBytes(eventId: string): Promise<ArrayBuffer | undefined> {
  const s = (await store().meta.get(`photo:${eventId}`))?.value as Sealed | undefined;
  return s ? openBytes(key(), s) : undefined;
}

export async function acknowledge(ack: Omit<StoredAck, 'seq' | 'at'>): Promise<void> {
  await store().acks.add({ ...ack, at: new Date().toISOString() });
}

export interface OpenedEvent<P> {
  event: StoredEvent;
  payload: P;
  ack: StoredAck | undefined;
}

/** Events in the order they were recorded, opened, each with the server's last word on it (if any). */
export async function readEvents(filter: { caseId?: string } = {}): Promise<Array<OpenedEvent<DecisionPayload | CaseDecisionPayload | PhotoPayload>>> {
  if (!db || !dataKey) return [];
  const acks = await ackMap();
  const events = filter.caseId ? await db.events.where('caseId').equals(filter.caseId).sortBy('seq') : await db.events.orderBy('seq').toArray();
  const k = dataKey;
  return Promise.all(events.map(async (event) => ({ event, payload: await open<DecisionPayload | CaseDecisionPayload | PhotoPayload>(k, event), ack: acks.get(event.id) })));
}

/** The evidence id the server gave a photo taken here, once it was uploaded. */
export async function uploadedAs(eventId: string): Promise<string | undefined> {
  return (await ackMap()).get(eventId)?.evidenceId;
}
