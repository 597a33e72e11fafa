import crypto from 'node:crypto';
import { seedRegistry } from '../../src/frameworks/seed.js';
import { qualificationUrl, unitUrl } from '../../src/frameworks/urls.js';
import { createOutboxWorker } from '../../src/outbox/index.js';
import type { OutboxWorker, RoundResult, WorkerLog } from '../../src/outbox/worker.js';
import type { NotificationTransport, OutgoingMessage } from '../../src/rpl/notifications.js';
import type { TestContext } from '../helpers/app.js';
import { nowIso } from '../../src/db/database.js';

export const HOUSEKEEPING = qualificationUrl('ph-housekeeping-nc2');
export const HOUSEKEEPING_UNITS = ['TRS5123111', 'TRS5123112', 'TRS5123113', 'TRS5123114', 'TRS5123115', 'TRS5123122'].map(unitUrl);
export const HONG_KONG_CENTRE = (issuerId: string) => `demo-${issuerId}-centre-2`;

export type Headers = { authorization: string };

export interface CaseAtState {
  candidateId: string;
  /** Assigned to the case; judged every unit. */
  assessorId: string;
  /** The test body unless given. */
  issuerId?: string;
  /** Who moderated (and when: now); none unless given. */
  moderatorId?: string | null;
  outcome?: 'full_qualification' | 'statement_of_attainment' | 'not_yet_competent' | null;
  cohortRef?: string | null;
  /** Every Housekeeping unit of round 1 judged alike by the assessor; null: no judgement at all. */
  units?: { decision: 'competent' | 'not_yet_competent'; methods?: string[]; sufficient?: boolean; notes?: string | null } | null;
}

/**
 * A Housekeeping case put straight into `state` at version 1 (no workflow walked to it), every unit judged Competent
 * unless `units` says otherwise: for tests about what happens to a case in that state, not about getting it there.
 */
export async function caseAtState(t: TestContext, state: string, c: CaseAtState): Promise<string> {
  const id = crypto.randomUUID();
  const now = nowIso();
  await t.db.kysely
    .insertInto('rpl_cases')
    .values({
      id, candidate_id: c.candidateId, qualification_id: HOUSEKEEPING, issuer_id: c.issuerId ?? t.issuer.id, state, version: 1, round: 1,
      assessor_id: c.assessorId, previous_assessor_id: null, moderator_id: c.moderatorId ?? null, outcome: c.outcome ?? null,
      decided_at: now, moderated_at: c.moderatorId ? now : null, moderation_note: null, gap_training_note: null, appeal_reason: null, appealed_at: null, credential_id: null, cohort_ref: c.cohortRef ?? null,
      created_by: null, created_at: now, updated_at: now,
    })
    .execute();
  const units = c.units === undefined ? { decision: 'competent' as const } : c.units;
  if (units) {
    await t.db.kysely
      .insertInto('unit_assessments')
      .values(HOUSEKEEPING_UNITS.map((unit_id) => ({
        case_id: id, round: 1, unit_id, assessor_id: c.assessorId, methods: JSON.stringify(units.methods ?? ['observation']), evidence_ids: '[]',
        quality: JSON.stringify({ valid: true, authentic: true, current: true, sufficient: units.sufficient ?? true }), decision: units.decision,
        notes: units.notes ?? null, centre_id: null, country: 'HK', assessed_on: now.slice(0, 10), updated_at: now,
      })))
      .execute();
  }
  return id;
}

/** Minimal files whose first bytes are what real files start with. */
export const FILES = {
  jpeg: () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), crypto.randomBytes(64)]),
  pdf: () => Buffer.concat([Buffer.from('%PDF-1.7\n'), crypto.randomBytes(64), Buffer.from('\n%%EOF\n')]),
  png: () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(32)]),
  mp4: () => Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), crypto.randomBytes(32)]),
  elf: () => Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), crypto.randomBytes(64)]),
  pe: () => Buffer.concat([Buffer.from('MZ'), Buffer.alloc(58), crypto.randomBytes(64)]),
};

export function multipart(fields: Record<string, string>, file?: { name: string; bytes: Buffer; type?: string }): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----tanda${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${file.name}"\r\ncontent-type: ${file.type ?? 'application/octet-stream'}\r\n\r\n`));
    parts.push(file.bytes, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Captures notifications instead of sending them, so a test can read the code a returnee would receive. */
export class CapturingTransport implements NotificationTransport {
  readonly channels = ['email', 'sms'] as const;
  readonly description = 'capturing transport (tests)';
  readonly messages: OutgoingMessage[] = [];
  async deliver(message: OutgoingMessage): Promise<void> {
    this.messages.push(message);
  }
  lastCodeFor(recipient: string): string {
    const m = [...this.messages].reverse().find((x) => x.recipient === recipient);
    const code = m?.body.match(/\b(\d{6})\b/)?.[1];
    if (!code) throw new Error(`no code sent to ${recipient}`);
    return code;
  }
}

/** A worker log that keeps what it is given, so tests can check it holds no code. */
export function memoryLog(): WorkerLog & { lines: Array<{ level: string; obj: object; msg: string }> } {
  const lines: Array<{ level: string; obj: object; msg: string }> = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

export interface RplFixture {
  transport: CapturingTransport;
  /** The outbox worker, with the capturing transport; tests run its rounds themselves. */
  worker: OutboxWorker;
  /** One worker round: queued sign-in requests become codes, due messages go to the capturing transport. */
  deliver(): Promise<RoundResult>;
  counsellor: Headers;
  assessor: Headers & { userId: string };
  assessor2: Headers & { userId: string };
  moderator: Headers & { userId: string };
  officer: Headers & { userId: string };
  admin: Headers;
  registerCandidate(overrides?: Record<string, unknown>): Promise<{ id: string; userId: string; email: string }>;
  candidateSession(email: string): Promise<Headers>;
  openCase(candidate: Headers, qualificationId?: string): Promise<{ id: string; version: number }>;
  fire(id: string, headers: Headers, event: string, extra?: Record<string, unknown>): Promise<{ statusCode: number; body: Record<string, unknown> }>;
  version(id: string): Promise<number>;
}

const asHeaders = (l: { userId: string; headers: Headers }) => ({ ...l.headers, userId: l.userId });

export async function rplFixture(t: TestContext): Promise<RplFixture> {
  await seedRegistry(t.db.kysely, { issuers: [t.issuer.id] });
  const transport = new CapturingTransport();
  const worker = createOutboxWorker(t.services, memoryLog(), { transports: [transport] });
  const counsellor = (await t.login('counsellor')).headers;
  const admin = (await t.login('admin', { issuerId: null })).headers;
  const assessor = asHeaders(await t.login('assessor'));
  const assessor2 = asHeaders(await t.login('assessor'));
  const moderator = asHeaders(await t.login('moderator'));
  const officer = asHeaders(await t.login('certifying_officer'));

  const fixture: RplFixture = {
    transport,
    worker,
    deliver: () => worker.runOnce(),
    counsellor,
    assessor,
    assessor2,
    moderator,
    officer,
    admin,
    async registerCandidate(overrides = {}) {
      const email = `returnee-${crypto.randomBytes(4).toString('hex')}@example.org`;
      const res = await t.app.inject({
        method: 'POST',
        url: '/candidates',
        headers: counsellor,
        payload: {
          fullName: 'Maricel Dela Cruz',
          email,
          preferredLanguage: 'fil',
          countryOfWork: 'HK',
          sector: 'domestic work',
          yearsExperience: 8,
          sex: 'female',
          birthYear: 1988,
          nationalId: `PSN-${crypto.randomInt(1e9)}`,
          consent: { purpose: 'Recognition of prior learning and certification' },
          ...overrides,
        },
      });
      if (res.statusCode !== 201) throw new Error(`register: ${res.statusCode} ${res.body}`);
      return { id: res.json().id, userId: res.json().userId, email: (overrides.email as string | undefined) ?? email };
    },
    async candidateSession(email) {
      const asked = await t.app.inject({ method: 'POST', url: '/auth/candidate/code', payload: { contact: email } });
      if (asked.statusCode !== 202) throw new Error(`code: ${asked.statusCode} ${asked.body}`);
      await worker.runOnce();
      const code = transport.lastCodeFor(email);
      const verified = await t.app.inject({ method: 'POST', url: '/auth/candidate/verify', payload: { challengeId: asked.json().challengeId, code } });
      if (verified.statusCode !== 200) throw new Error(`verify: ${verified.statusCode} ${verified.body}`);
      return { authorization: `Bearer ${verified.json().token}` };
    },
    async openCase(candidate, qualificationId = HOUSEKEEPING) {
      const res = await t.app.inject({ method: 'POST', url: '/cases', headers: candidate, payload: { qualificationId, issuerId: t.issuer.id } });
      if (res.statusCode !== 201) throw new Error(`open case: ${res.statusCode} ${res.body}`);
      return { id: res.json().id, version: res.json().version };
    },
    async fire(id, headers, event, extra = {}) {
      const version = await fixture.version(id);
      const res = await t.app.inject({ method: 'POST', url: `/cases/${id}/transitions`, headers, payload: { event, version, ...extra } });
      return { statusCode: res.statusCode, body: res.json() };
    },
    async version(id) {
      const row = await t.db.kysely.selectFrom('rpl_cases').select('version').where('id', '=', id).executeTakeFirstOrThrow();
      return Number(row.version);
    },
  };
  return fixture;
}

/** Per-unit judgements for every Housekeeping unit; `nyc` lists the units judged Not Yet Competent. */
export function housekeepingAssessment(issuerId: string, evidenceIds: string[], nyc: string[] = []) {
  return {
    centreId: HONG_KONG_CENTRE(issuerId),
    assessedOn: new Date().toISOString().slice(0, 10),
    units: HOUSEKEEPING_UNITS.map((unitId) => ({
      unitId,
      methods: ['portfolio_review', 'observation', 'interview'],
      evidenceIds,
      quality: { valid: true, authentic: true, current: true, sufficient: !nyc.includes(unitId) },
      decision: nyc.includes(unitId) ? 'not_yet_competent' : 'competent',
      notes: 'Demonstrated bed making and room turnaround to standard.',
    })),
  };
}
