import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApiToken, createUser } from '../src/auth/tokens.js';
import { openAndMigrate } from '../src/bootstrap.js';
import type { Db } from '../src/db/database.js';
import { settlePublicUrl } from '../src/deployment/public-url.js';
import { loadConfig } from '../src/config.js';
import { buildCredential } from '../src/credentials/build.js';
import { seedRegistry } from '../src/frameworks/seed.js';
import { qualificationUrl } from '../src/frameworks/urls.js';
import { createIssuer } from '../src/issuers/issuers.js';
import { verifyAuditChain } from '../src/rpl/audit.js';
import { transitionCase } from '../src/rpl/cases.js';
import { importCohort } from '../src/rpl/cohort-import.js';
import { createServices } from '../src/services.js';

/**
 * `npm run bench crash`: kill -9 at random moments during
 * - `server-batch`: a server-side certification batch (POST /certification-batches over N moderated cases; the
 *   server is killed while its worker certifies them, restarted, and resumes);
 * - `client-batch`: a client-side batch (the server is killed while a client issues N credentials with
 *   Idempotency-Keys and retries what got no answer);
 * - `cohort`: a cohort import (the CLI is killed and run again on the same file);
 * then counts what landed. Sizes: CRASH_CERTIFICATES (1000, both batches), CRASH_ROWS (3000), CRASH_KILLS (10),
 * CRASH_CONCURRENCY (16); CRASH_SCENARIOS (all three, comma-separated) picks some; CRASH_DATABASE_URL runs on an
 * empty PostgreSQL database instead of a SQLite file.
 */

const ROOT = path.resolve(import.meta.dirname, '..');
const int = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const log = (s: string) => process.stderr.write(`crash: ${s}\n`);

/** What an officer's credentials look like after the crashes: every one, the complete ones (proof and status entry in
 * the document) and how many have a status entry row. */
async function issuedBy(db: Db, officerId: string) {
  const issued = await db.kysely.selectFrom('credentials').select(['id', 'document']).where('issued_by', '=', officerId).execute();
  const complete = issued.filter((c) => {
    const doc = JSON.parse(c.document) as { proof?: unknown; credentialStatus?: unknown };
    return doc.proof !== undefined && doc.credentialStatus !== undefined;
  });
  const entries = await db.kysely
    .selectFrom('status_entries')
    .innerJoin('credentials', 'credentials.id', 'status_entries.credential_id')
    .select('status_entries.credential_id')
    .where('credentials.issued_by', '=', officerId)
    .execute();
  return { issued, complete, withStatusEntry: new Set(entries.map((e) => e.credential_id)).size };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `count` distinct random moments in (0, total): the progress at which each kill happens. */
const killPoints = (count: number, total: number) =>
  [...new Set(Array.from({ length: count }, () => 1 + Math.floor(Math.random() * Math.max(1, total - 1))))].sort((a, b) => a - b);

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

export async function benchCrash(): Promise<Record<string, number>> {
  const certificates = int('CRASH_CERTIFICATES', 1000);
  const rows = int('CRASH_ROWS', 3000);
  const kills = int('CRASH_KILLS', 10);
  const concurrency = int('CRASH_CONCURRENCY', 16);
  const scenarios = new Set((process.env.CRASH_SCENARIOS ?? 'server-batch,client-batch,cohort').split(',').map((x) => x.trim()));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tanda-crash-'));
  const port = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    TANDA_DATA_DIR: dataDir,
    TANDA_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    TANDA_PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORT: String(port),
    TANDA_SEED_DEMO: 'false',
    TANDA_MAIL_TRANSPORT: 'none',
    LOG_LEVEL: 'error',
    ...(process.env.CRASH_DATABASE_URL ? { DATABASE_URL: process.env.CRASH_DATABASE_URL } : {}),
  };

  // The deployment: one certifying body, its officer (API token) and assessor, the demo catalogue.
  const config = loadConfig(env);
  const db = await openAndMigrate(config);
  const services = createServices(await settlePublicUrl(db, config), db);
  const issuer = await createIssuer(db.kysely, services.keys, config.publicUrl, { id: 'crash-body', name: 'Crash Test Body', country: 'PH', didMethod: 'key' });
  await seedRegistry(db.kysely, { issuers: [issuer.id] });
  const officer = await createUser(db.kysely, { name: 'Crash Officer', role: 'certifying_officer', issuerId: issuer.id });
  const token = await createApiToken(db.kysely, officer.id, 'crash bench');
  const assessor = await createUser(db.kysely, { name: 'Crash Assessor', role: 'assessor', issuerId: issuer.id });
  const figures: Record<string, number> = {};

  let server: ChildProcess | undefined;
  const startServer = async () => {
    server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode} while starting`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
  };
  const credentialFor = (i: number) => {
    // No id: only the Idempotency-Key stops a retried request from becoming a second credential.
    const { id: _id, ...rest } = buildCredential({
      issuer: { did: issuer.did, name: issuer.name },
      holder: { name: `Batch Holder ${i}` },
      achievement: { id: 'https://training.example/badges/forklift-safety', kind: 'statement_of_attainment', name: 'Forklift safety awareness', description: 'Completed the warehouse safety course.', criteria: 'Passed the quiz.', humanCode: 'FLS-1', alignment: [] },
      validFrom: '2026-11-01T00:00:00Z',
    }) as Record<string, unknown>;
    return rest;
  };
  /**
   * The server-side certification batch: N moderated cases (a cohort imported and confirmed here, in-process), one
   * POST /certification-batches, the server killed at random moments while its worker certifies them and started
   * again; the client re-sends its request with the same Idempotency-Key after each restart.
   */
  const serverBatch = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    const batchOfficer = await createUser(db.kysely, { name: 'Batch Officer', role: 'certifying_officer', issuerId: issuer.id });
    const batchToken = await createApiToken(db.kysely, batchOfficer.id, 'crash bench');
    const moderator = await createUser(db.kysely, { name: 'Crash Moderator', role: 'moderator', issuerId: issuer.id });
    const ref = 'CRASH-BATCH-COHORT';
    const qualification = qualificationUrl('ph-housekeeping-nc2');
    const allCompetent = 'TRS5123111=C;TRS5123112=C;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C';
    const sheet = [
      'full_name,email,sex,birth_year,country_of_work,national_id,consent_purpose,decisions,methods',
      ...Array.from({ length: certificates }, (_, i) => `Batch Person ${i},batch-${i}@example.org,female,1990,HK,PSN-B${i},RPL and certification,${allCompetent},observation`),
    ].join('\n');
    const prepareStart = performance.now();
    const imported = await importCohort(services.rpl, { id: assessor.id, role: 'assessor', issuerId: issuer.id }, sheet, {
      issuerId: issuer.id, qualification, assessorId: assessor.id, country: 'HK', assessedOn: '2026-06-15', cohortRef: ref,
    });
    const moderatorActor = { id: moderator.id, role: 'moderator' as const, issuerId: issuer.id };
    for (const row of imported.rows) if (row.caseId && row.status === 'imported') await transitionCase(services.rpl, moderatorActor, row.caseId, { event: 'confirm', version: 1 });
    out['crash.server_batch.prepare_seconds'] = (performance.now() - prepareStart) / 1000;

    await startServer();
    const ask = async (): Promise<string> => {
      const res = await fetch(`http://127.0.0.1:${port}/certification-batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${batchToken}`, 'content-type': 'application/json', 'idempotency-key': 'crash-server-batch' },
        body: JSON.stringify({ qualificationId: qualification, cohortRef: ref }),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status !== 201 || !body.id) throw new Error(`POST /certification-batches: HTTP ${res.status}`);
      return body.id;
    };
    const batchId = await ask();
    const settled = async () =>
      Number((await db.kysely.selectFrom('certification_batch_items').select((eb) => eb.fn.countAll().as('n')).where('batch_id', '=', batchId).where('state', '<>', 'pending').executeTakeFirstOrThrow()).n);
    const start = performance.now();
    let serverKills = 0;
    let sameBatch = 1;
    for (const point of killPoints(kills, certificates)) {
      while ((await settled()) < point) await sleep(20);
      const dying = server!;
      dying.kill('SIGKILL');
      serverKills++;
      await exited(dying);
      await startServer();
      // The client that lost its connection asks again with its key: the same batch, never a second one.
      if ((await ask()) !== batchId) sameBatch = 0;
    }
    // An item claimed by a killed server waits out its lease (30 s) before the new one takes it.
    for (;;) {
      const b = await db.kysely.selectFrom('certification_batches').select('state').where('id', '=', batchId).executeTakeFirstOrThrow();
      if (b.state === 'completed') break;
      if (performance.now() - start > 30 * 60_000) throw new Error('the certification batch did not complete within 30 minutes');
      await sleep(200);
    }
    out['crash.server_batch.seconds'] = (performance.now() - start) / 1000;
    server!.kill('SIGTERM');
    await exited(server!);

    const cases = await db.kysely.selectFrom('rpl_cases').select(['id', 'state', 'credential_id']).where('cohort_ref', '=', ref).execute();
    const { issued, complete, withStatusEntry } = await issuedBy(db, batchOfficer.id);
    const issuedIds = new Set(issued.map((c) => c.id));
    const items = await db.kysely.selectFrom('certification_batch_items').select(['case_id', 'state', 'credential_id']).where('batch_id', '=', batchId).execute();
    const caseCredential = new Map(cases.map((c) => [c.id, c.credential_id]));
    const certifyAudit = await db.kysely.selectFrom('audit_log').select('case_id').where('action', '=', 'case.transition').where('actor_id', '=', batchOfficer.id).execute();
    const batches = await db.kysely.selectFrom('certification_batches').select('id').where('requested_by', '=', batchOfficer.id).execute();
    out['crash.server_batch.requested'] = certificates;
    out['crash.server_batch.kills'] = serverKills;
    out['crash.server_batch.batches_stored'] = batches.length;
    out['crash.server_batch.same_batch_on_retry'] = sameBatch;
    out['crash.server_batch.credentials'] = issued.length;
    out['crash.server_batch.complete_credentials'] = complete.length;
    out['crash.server_batch.status_entries'] = withStatusEntry;
    out['crash.server_batch.cases_certified'] = cases.filter((c) => c.state === 'certified' && c.credential_id && issuedIds.has(c.credential_id)).length;
    out['crash.server_batch.items_done'] = items.filter((i) => i.state === 'done' && i.credential_id === caseCredential.get(i.case_id)).length;
    out['crash.server_batch.items_failed'] = items.filter((i) => i.state === 'failed').length;
    out['crash.server_batch.certify_audit_entries'] = certifyAudit.length;
    out['crash.server_batch.exactly_requested'] = issued.length === certificates && complete.length === certificates && out['crash.server_batch.cases_certified'] === certificates ? 1 : 0;
    return out;
  };

  if (scenarios.has('server-batch')) Object.assign(figures, await serverBatch());

  // A client-side certificate batch against a server killed at random moments.
  if (scenarios.has('client-batch')) {
    const bodies = Array.from({ length: certificates }, (_, i) => JSON.stringify({ credential: credentialFor(i) }));
    await startServer();
    const batchStart = performance.now();
    const queue = Array.from({ length: certificates }, (_, i) => i);
    let done = 0;
    let retries = 0;
    let replays = 0;
    let restarting: Promise<void> | undefined;
    let serverKills = 0;
    const worker = async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        let wait = 0;
        try {
          await restarting;
          const res = await fetch(`http://127.0.0.1:${port}/credentials/issue`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `crash-batch/${i}` },
            body: bodies[i],
          });
          await res.arrayBuffer();
          if (res.status === 201) {
            done++;
            if (res.headers.get('idempotent-replayed')) replays++;
            continue;
          }
          if (res.status !== 409 && res.status !== 503) throw new Error(`certificate ${i}: HTTP ${res.status}`);
          wait = Number(res.headers.get('retry-after') ?? 1) * 1000;
        } catch (e) {
          if ((e as Error).message.startsWith('certificate')) throw e;
          wait = 50; // the server is down: a dropped connection or one refused while it restarts
        }
        retries++;
        queue.push(i);
        await sleep(wait);
      }
    };
    const killer = async () => {
      for (const point of killPoints(kills, certificates)) {
        while (done < point) await sleep(5);
        const dying = server!;
        dying.kill('SIGKILL');
        serverKills++;
        let restarted!: () => void;
        restarting = new Promise((resolve) => (restarted = resolve));
        await exited(dying);
        await startServer();
        restarted();
      }
    };
    const workers = Array.from({ length: concurrency }, worker);
    const killing = killer();
    // A worker finds the queue empty while others still hold indices that may come back: run until all are done.
    while (done < certificates) {
      await Promise.all(workers.splice(0));
      if (done < certificates) workers.push(...Array.from({ length: concurrency }, worker));
    }
    await killing;
    figures['crash.batch.seconds'] = (performance.now() - batchStart) / 1000;
    server!.kill('SIGTERM');
    await exited(server!);

    const { issued, complete, withStatusEntry } = await issuedBy(db, officer.id);
    const keys = await db.kysely.selectFrom('idempotency_keys').select('state').where('caller_id', '=', officer.id).execute();
    const issueAudit = await db.kysely.selectFrom('audit_log').select('seq').where('action', '=', 'credential.issue').where('actor_id', '=', officer.id).execute();
    figures['crash.batch.requested'] = certificates;
    figures['crash.batch.kills'] = serverKills;
    figures['crash.batch.credentials'] = issued.length;
    figures['crash.batch.complete_credentials'] = complete.length;
    figures['crash.batch.status_entries'] = withStatusEntry;
    figures['crash.batch.keys_done'] = keys.filter((k) => k.state === 'done').length;
    figures['crash.batch.audit_entries'] = issueAudit.length;
    figures['crash.batch.retries'] = retries;
    figures['crash.batch.replayed'] = replays;
  }

  // A cohort import killed at random moments and run again on the same file until it finishes.
  if (scenarios.has('cohort')) {
    const header = 'full_name,email,sex,birth_year,country_of_work,national_id,consent_purpose,decisions,methods';
    const decisions = 'TRS5123111=C;TRS5123112=C;TRS5123113=C;TRS5123114=C;TRS5123115=C;TRS5123122=C';
    const csv = [header, ...Array.from({ length: rows }, (_, i) => `Cohort Person ${i},crash-${i}@example.org,female,1990,HK,PSN-C${i},RPL and certification,${decisions},observation`)].join('\n');
    const file = path.join(dataDir, 'cohort.csv');
    fs.writeFileSync(file, csv);
    const ref = 'CRASH-COHORT';
    const casesNow = async () => Number((await db.kysely.selectFrom('rpl_cases').select((eb) => eb.fn.countAll().as('n')).where('cohort_ref', '=', ref).executeTakeFirstOrThrow()).n);
    const runImport = () =>
      spawn(process.execPath, ['src/cli/bin.js', 'rpl', 'import-cohort', file, '--issuer', issuer.id, '--qualification', qualificationUrl('ph-housekeeping-nc2'), '--assessor', assessor.id, '--country', 'HK', '--date', '2026-06-22', '--ref', ref], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'ignore'] });
    // Meanwhile the server keeps issuing for another officer on the same database: the CLI and the server write at
    // once (the "database is locked" case on SQLite before write transactions began immediately).
    const colleague = await createUser(db.kysely, { name: 'Crash Officer 2', role: 'certifying_officer', issuerId: issuer.id });
    const colleagueToken = await createApiToken(db.kysely, colleague.id, 'crash bench');
    await startServer();
    let importing = true;
    const concurrent = { ok: 0, serverErrors: 0, other: 0 };
    const sideIssuer = async (w: number) => {
      for (let n = 0; importing; n++) {
        try {
          const res = await fetch(`http://127.0.0.1:${port}/credentials/issue`, {
            method: 'POST',
            headers: { authorization: `Bearer ${colleagueToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ credential: credentialFor(100_000 + w * 100_000 + n) }),
          });
          await res.arrayBuffer();
          if (res.status === 201) concurrent.ok++;
          else if (res.status >= 500) concurrent.serverErrors++;
          else concurrent.other++;
        } catch {
          concurrent.other++;
        }
      }
    };
    const side = Array.from({ length: 4 }, (_, w) => sideIssuer(w));
    const importStart = performance.now();
    let runs = 0;
    let importKills = 0;
    for (const point of killPoints(kills, rows)) {
      const child = runImport();
      runs++;
      const code = exited(child);
      let finished = false;
      void code.then(() => (finished = true));
      while (!finished && (await casesNow()) < point) await sleep(10);
      if (!finished) {
        child.kill('SIGKILL');
        importKills++;
      }
      await code;
    }
    const last = runImport();
    runs++;
    let output = '';
    last.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    const lastCode = await exited(last);
    figures['crash.cohort.seconds'] = (performance.now() - importStart) / 1000;
    importing = false;
    await Promise.all(side);
    server!.kill('SIGTERM');
    await exited(server!);
    figures['crash.concurrent.issued'] = concurrent.ok;
    figures['crash.concurrent.errors_5xx'] = concurrent.serverErrors;
    figures['crash.concurrent.other_failures'] = concurrent.other;
    if (lastCode !== 0) log(`the last import run exited ${lastCode}: ${output.split('\n')[0]}`);
    log(output.split('\n')[0] ?? '');

    const cases = await db.kysely.selectFrom('rpl_cases').select('id').where('cohort_ref', '=', ref).execute();
    const units = await db.kysely
      .selectFrom('unit_assessments')
      .innerJoin('rpl_cases', 'rpl_cases.id', 'unit_assessments.case_id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('rpl_cases.cohort_ref', '=', ref)
      .executeTakeFirstOrThrow();
    const candidates = await db.kysely.selectFrom('candidates').select((eb) => eb.fn.countAll().as('n')).where('email', 'like', 'crash-%').executeTakeFirstOrThrow();
    const imported = await db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll().as('n')).where('action', '=', 'case.imported').executeTakeFirstOrThrow();
    figures['crash.cohort.rows'] = rows;
    figures['crash.cohort.kills'] = importKills;
    figures['crash.cohort.runs'] = runs;
    figures['crash.cohort.cases'] = cases.length;
    figures['crash.cohort.candidates'] = Number(candidates.n);
    // Six units a row: a case with fewer would be half-written.
    figures['crash.cohort.unit_decisions'] = Number(units.n);
    figures['crash.cohort.audit_entries'] = Number(imported.n);
  }

  const chain = await verifyAuditChain(db.kysely);
  figures['crash.audit_chain_intact'] = chain.valid ? 1 : 0;
  figures['crash.audit_entries'] = chain.entries;
  await db.destroy();
  if (!process.env.CRASH_DATABASE_URL) fs.rmSync(dataDir, { recursive: true, force: true });
  return figures;
}
