import crypto from 'node:crypto';
import { HOUSEKEEPING, FILES, multipart, rplFixture } from '../rpl/fixtures.js';
import { createTestContext, type TestContext } from './app.js';
import { badge } from './credentials.js';
import { generate, operationsFrom, probeAdmitted, type Caller, type FuzzRequest, type Hints, type Operation } from './fuzz.js';

const LAST = ['POST /candidates/{id}/consent/withdraw', 'POST /candidates/{id}/erasure', 'POST /issuers/{id}/keys/compromise', 'POST /auth/logout'];

export interface FuzzWorld {
  t: TestContext;
  ops: Operation[];
  hints: Hints;
  callers: Caller[];
  /** `runs` requests per operation from the seed, callers weighted towards those each operation admits. */
  generate(seed: number, runs: number): Promise<FuzzRequest[]>;
}

/**
 * A test app with something behind each id (a candidate, a case with evidence, an issued credential, its status list)
 * and a caller of every role, so fuzzed requests reach handlers and the database, not only the schema check.
 */
export async function createFuzzWorld(): Promise<FuzzWorld> {
  // Verify routes are rate limited per client; the fuzzer is one client that must reach the pipeline every time.
  const t = await createTestContext({ TANDA_VERIFY_RATE_LIMIT: '1000000' });
  const f = await rplFixture(t);
  const candidate = await f.registerCandidate();
  const candidateHeaders = await f.candidateSession(candidate.email);
  const caseRow = await f.openCase(candidateHeaders);
  const upload = multipart({ kind: 'work_photo', title: 'kitchen' }, { name: 'kitchen.jpg', bytes: FILES.jpeg() });
  const evidence = await t.app.inject({ method: 'POST', url: `/cases/${caseRow.id}/evidence`, headers: { ...candidateHeaders, ...upload.headers }, payload: upload.payload });
  if (evidence.statusCode !== 201) throw new Error(`evidence: ${evidence.statusCode} ${evidence.body}`);
  const unsigned = badge(t.issuer.did) as Record<string, unknown>;
  const issued = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: f.officer, payload: { credential: unsigned } });
  if (issued.statusCode !== 201) throw new Error(`issue: ${issued.statusCode} ${issued.body}`);
  const credential = issued.json().verifiableCredential as Record<string, unknown> & { id: string; credentialStatus?: { statusListCredential?: string } | Array<{ statusListCredential?: string }> };
  const status = [credential.credentialStatus].flat()[0];
  const listId = status?.statusListCredential?.split('/').pop() ?? 'unknown';
  const presentation = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [credential] };
  const { frameworks } = (await t.app.inject({ method: 'GET', url: '/frameworks' })).json() as { frameworks: Array<{ id: string }> };
  const did = await t.app.inject({ method: 'GET', url: `/issuers/${t.issuer.id}/did.json` });
  const verificationMethod = (did.json() as { verificationMethod?: Array<{ id: string }> }).verificationMethod?.[0]?.id ?? `${t.issuer.did}#key`;

  const ids = [caseRow.id, candidate.id, credential.id, t.issuer.id, evidence.json().id as string];
  const hints: Hints = {
    id: ids,
    '/cases/{id}#id': [caseRow.id],
    '/cases/{id}/transitions#id': [caseRow.id],
    '/cases/{id}/self-assessment#id': [caseRow.id],
    '/cases/{id}/assessments#id': [caseRow.id],
    '/cases/{id}/evidence#id': [caseRow.id],
    '/cases/{id}/evidence/records#id': [caseRow.id],
    '/cases/{id}/evidence/{evidenceId}/content#id': [caseRow.id],
    evidenceId: [evidence.json().id],
    '/candidates/{id}#id': [candidate.id],
    '/candidates/{id}/contact-changes/{changeId}/confirm#id': [candidate.id],
    '/candidates/{id}/consent/withdraw#id': [candidate.id],
    '/candidates/{id}/export#id': [candidate.id],
    '/candidates/{id}/erasure#id': [candidate.id],
    '/credentials/{id}#id': [credential.id],
    '/credentials/{id}/revoke#id': [credential.id],
    '/credentials/{id}/reissue#id': [credential.id],
    '/credentials/{id}/history#id': [credential.id],
    '/credentials/{id}/certificate.pdf#id': [credential.id],
    '/credentials/{id}/qr.png#id': [credential.id],
    '/credentials/{id}/qr.svg#id': [credential.id],
    '/issuers/{id}/did.json#id': [t.issuer.id],
    '/issuers/{id}/keys/compromise#id': [t.issuer.id],
    '/issuers/{id}/profile#id': [t.issuer.id],
    '/issuers/{id}/accreditations#id': [t.issuer.id],
    '/frameworks/{id}#id': frameworks.map((x) => x.id).slice(0, 3),
    '/qualifications/{id}#id': [HOUSEKEEPING, 'ph-housekeeping-nc2'],
    listId: [listId],
    changeId: [crypto.randomUUID()],
    qualificationId: [HOUSEKEEPING],
    qualificationIds: [[HOUSEKEEPING]],
    issuerId: [t.issuer.id],
    candidateId: [candidate.id],
    caseId: [caseRow.id],
    credentialId: [credential.id],
    evidenceIds: [[evidence.json().id]],
    frameworkId: frameworks.map((x) => x.id).slice(0, 2),
    email: [candidate.email, 'nobody@example.org'],
    contact: [candidate.email],
    verificationMethod: [verificationMethod],
    // Without an id as well: one id issued twice is answered already_exists before anything else is looked at.
    credential: [unsigned as never, Object.fromEntries(Object.entries(unsigned).filter(([k]) => k !== 'id')) as never],
    verifiableCredential: [credential as never],
    verifiablePresentation: [presentation as never],
    // Fields with a pattern the schema generator cannot follow.
    country: ['PH', 'ID'],
    countryOfWork: ['HK', 'SG'],
    preferredLanguage: ['fil', 'en'],
    phone: ['+63 912 345 6789'],
    code: ['123456'],
    logo: ['iVBORw0KGgo='],
    seal: ['iVBORw0KGgo='],
    signature: ['iVBORw0KGgo='],
    targetUrl: ['https://training.example/units/FLS-101'],
    lang: ['en', 'th'],
    validFrom: ['2026-01-01T00:00:00Z', '2026-01-01'],
    validUntil: ['2025-01-01T00:00:00Z', '2030-01-01T00:00:00Z'],
  };
  const role = async (r: 'admin' | 'certifying_officer' | 'assessor' | 'moderator' | 'counsellor' | 'candidate') =>
    (await t.login(r, r === 'admin' ? { issuerId: null } : {})).headers;
  const callers: Caller[] = [
    { name: 'anonymous', headers: {} },
    { name: 'admin', headers: await role('admin') },
    { name: 'certifying_officer', headers: await role('certifying_officer') },
    { name: 'assessor', headers: await role('assessor') },
    { name: 'moderator', headers: await role('moderator') },
    { name: 'counsellor', headers: await role('counsellor') },
    { name: 'candidate (no record)', headers: await role('candidate') },
    { name: 'candidate (owner of the case)', headers: candidateHeaders },
  ];
  // Operations that end a caller's session, erase the candidate or retire the body's key run last, so the requests
  // before them still reach handlers as signed-in callers, with the data in place.
  const last = (op: Operation) => LAST.indexOf(`${op.method} ${op.path}`);
  const ops = operationsFrom(t.app.swagger() as never).sort((a, b) => last(a) - last(b));
  return { t, ops, hints, callers, generate: async (seed, runs) => generate(ops, hints, callers, seed, runs, await probeAdmitted(t.app, ops, hints, callers, seed, LAST)) };
}

/** Fuzz settings from the environment: TANDA_FUZZ_RUNS requests per operation, TANDA_FUZZ_SEED to reproduce. */
export function fuzzSettings(defaultRuns: number): { runs: number; seed: number } {
  const runs = Number(process.env.TANDA_FUZZ_RUNS ?? defaultRuns);
  const seed = Number(process.env.TANDA_FUZZ_SEED ?? 20261127);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('TANDA_FUZZ_RUNS must be a positive integer');
  if (!Number.isInteger(seed)) throw new Error('TANDA_FUZZ_SEED must be an integer');
  return { runs, seed };
}
