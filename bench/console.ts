import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { createTestContext } from '../tests/helpers/app.js';
import { HONG_KONG_CENTRE, HOUSEKEEPING, rplFixture } from '../tests/rpl/fixtures.js';

const gzip = (data: string | Buffer) => zlib.gzipSync(data, { level: 9 }).length;
/** The console's first load besides its page (no fonts: it ships none). */
const CONSOLE_ASSETS = ['/console/app.js', '/console/app.css', '/console/sw.js'];
const CASES = 40;
/** The console sends a reconnect's events this many requests at a time, each holding this many cases' events. */
const CONCURRENCY = 4;
const CASES_PER_REQUEST = 5;
/** A phone photo as the console keeps it (downscaled before it is stored): ~150 KB. */
const PHOTO_BYTES = 150 * 1024;

/**
 * The staff console's offline assessment day, over real HTTP against an in-process server:
 * - the size of a day's offline package for 40 cases (JSON, and gzip as it travels), evidence files not included;
 * - reconnect: the time until all 40 cases × 6 unit decisions are confirmed by the server, sent as a console does
 *   (4 concurrent POST /console/sync of 5 cases each). Goal ≤ 10 s on a 2-core machine. Also the same with a photo
 *   per case uploaded first (Idempotency-Key = the event id), as a day with camera evidence reconnects;
 * - the console's first load (gzip, no fonts; goal ≤ 250 KB): page, script, styles, service worker, when served.
 */
export async function benchConsole(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const t = await createTestContext();
  try {
    // What the browser fetches before the console is usable, asked of the server itself (it builds the bundle when
    // it is missing); skipped while this build serves no console page.
    const page = await t.app.inject({ method: 'GET', url: '/console' });
    if (page.statusCode === 200) {
      const assets = await Promise.all(CONSOLE_ASSETS.map((url) => t.app.inject({ method: 'GET', url })));
      const missing = CONSOLE_ASSETS.filter((_, i) => assets[i]!.statusCode !== 200);
      out['console.first_load_kb_gzip'] = [page, ...assets].filter((r) => r.statusCode === 200).reduce((n, r) => n + gzip(r.rawPayload), 0) / 1024;
      if (missing.length) process.stdout.write(`console first load: not served, so not counted: ${missing.join(', ')}\n`);
    } else {
      process.stdout.write(`console page not served (GET /console: ${page.statusCode}): first load not measured\n`);
    }
    const f = await rplFixture(t);
    const build = Date.now();
    // Two days' worth: one synced with decisions only, the other with a photo per case.
    const days: string[][] = [[], []];
    for (const day of days) {
      for (let i = 0; i < CASES; i++) {
        const c = await f.registerCandidate({ fullName: `Returnee ${i + 1}` });
        const opened = await t.app.inject({ method: 'POST', url: '/cases', headers: f.counsellor, payload: { qualificationId: HOUSEKEEPING, issuerId: t.issuer.id, candidateId: c.id } });
        const id = opened.json().id as string;
        for (const [event, extra] of [['submit', {}], ['start_screening', {}], ['accept', { assessorId: f.assessor.userId }]] as const) {
          const res = await f.fire(id, f.counsellor, event, extra);
          if (res.statusCode !== 200) throw new Error(`${event}: ${res.statusCode} ${JSON.stringify(res.body)}`);
        }
        day.push(id);
      }
    }
    process.stdout.write(`console: ${2 * CASES} cases in assessment built in ${Date.now() - build} ms\n`);

    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const post = async (url: string, body: unknown) => {
      const res = await fetch(`${base}${url}`, { method: 'POST', headers: { ...f.assessor, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
      return { text, json: JSON.parse(text) as Record<string, unknown> };
    };

    const packages = [];
    for (const day of days) packages.push(await post('/console/offline-days', { caseIds: day }));
    out['console.package_40_cases_kb'] = Buffer.byteLength(packages[0]!.text) / 1024;
    out['console.package_40_cases_kb_gzip'] = gzip(packages[0]!.text) / 1024;

    type PackagedCase = { id: string; packageId: string; version: number; qualification: { units: Array<{ id: string }> } };
    const today = new Date().toISOString().slice(0, 10);
    /** The id of the event that relies on a case's photo: the photo's upload is sent under it as Idempotency-Key. */
    const photoEvent = new Map<string, string>();
    const eventsOf = (c: PackagedCase, evidenceIds: string[] = []) =>
      c.qualification.units.map((u, i) => ({
        id: (i === 0 && photoEvent.get(c.id)) || crypto.randomUUID(), caseId: c.id, baseVersion: c.version, packageId: c.packageId, recordedAt: new Date().toISOString(), type: 'unit_decision', assessedOn: today,
        centreId: HONG_KONG_CENTRE(t.issuer.id), country: null,
        unit: { unitId: u.id, methods: ['observation', 'interview'], evidenceIds, quality: { valid: true, authentic: true, current: true, sufficient: true }, decision: 'competent', notes: 'Observed to standard in the practical room.' },
      }));
    /** Runs `jobs` CONCURRENCY at a time. */
    const pool = async <T>(jobs: Array<() => Promise<T>>): Promise<T[]> => {
      const results: T[] = [];
      let next = 0;
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < jobs.length) {
          const i = next++;
          results[i] = await jobs[i]!();
        }
      }));
      return results;
    };
    const syncAll = async (cases: PackagedCase[], evidence: Map<string, string> = new Map()) => {
      const batches: PackagedCase[][] = [];
      for (let i = 0; i < cases.length; i += CASES_PER_REQUEST) batches.push(cases.slice(i, i + CASES_PER_REQUEST));
      const answers = await pool(batches.map((b) => () => post('/console/sync', { events: b.flatMap((c) => eventsOf(c, evidence.has(c.id) ? [evidence.get(c.id)!] : [])) })));
      const results = answers.flatMap((a) => a.json.results as Array<{ status: string }>);
      const applied = results.filter((r) => r.status === 'applied').length;
      if (applied !== cases.length * 6) throw new Error(`only ${applied} of ${cases.length * 6} decisions applied: ${JSON.stringify(results.find((r) => r.status !== 'applied'))}`);
    };

    const decisionsOnly = packages[0]!.json.cases as PackagedCase[];
    let start = performance.now();
    await syncAll(decisionsOnly);
    out['console.reconnect_sync_40x6_ms'] = performance.now() - start;

    const withPhotos = packages[1]!.json.cases as PackagedCase[];
    start = performance.now();
    const evidence = new Map<string, string>();
    await pool(withPhotos.map((c) => async () => {
      const form = new FormData();
      form.append('kind', 'work_photo');
      form.append('title', 'Bed making, hall B');
      const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), crypto.randomBytes(PHOTO_BYTES)]);
      form.append('file', new Blob([photo], { type: 'image/jpeg' }), 'photo.jpg');
      const res = await fetch(`${base}/cases/${c.id}/evidence`, { method: 'POST', headers: { ...f.assessor, 'idempotency-key': photoEvent.set(c.id, crypto.randomUUID()).get(c.id)! }, body: form });
      if (res.status !== 201) throw new Error(`photo: ${res.status} ${await res.text()}`);
      evidence.set(c.id, ((await res.json()) as { id: string }).id);
    }));
    const photosDone = performance.now();
    await syncAll(withPhotos, evidence);
    out['console.reconnect_photos_40_ms'] = photosDone - start;
    out['console.reconnect_sync_40x6_with_photos_ms'] = performance.now() - start;
  } finally {
    await t.close();
  }
  return out;
}
