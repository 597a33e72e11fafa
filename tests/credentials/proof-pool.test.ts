import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { typicalCredential } from '../../bench/credentials.js';
import type { Check } from '../../src/credentials/checks.js';
import { ProofPool, type ProofHost } from '../../src/credentials/proof-pool.js';
import { decodeAndProve } from '../../src/credentials/qr-phase.js';
import { signCredential } from '../../src/credentials/sign.js';
import { bundledContexts, createDocumentLoader, nodeDocumentLoader } from '../../src/jsonld/index.js';
import { typeTableLoaderFrom, type TypeTableLoader, type TypeTableSource } from '../../src/qr/type-table.js';
import { createServices, type Services } from '../../src/services.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { badge, newDidKey } from '../helpers/credentials.js';
import { testDialect } from '../helpers/db.js';

type Vc = Record<string, unknown> & { id: string; proof: Record<string, unknown> };
const outline = (checks: Check[]) => checks.map((c) => ({ id: c.id, valid: c.valid, status: c.status, code: c.code }));

/** A promise and its release, to hold a job at a host call for as long as a test needs. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** Resolves once `count()` reaches n (polled: the calls arrive from worker threads). */
async function until(count: () => number, n: number): Promise<void> {
  while (count() < n) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe(`verification and signing on the worker pool on ${testDialect}`, () => {
  let t: TestContext;
  let inProcess: Services;
  let officer: { authorization: string };
  const issue = async (credential: Record<string, unknown>) => {
    const res = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential } });
    expect(res.statusCode).toBe(201);
    return res.json().verifiableCredential as Vc;
  };

  beforeAll(async () => {
    t = await createTestContext({ TANDA_VERIFY_WORKERS: '2' });
    // The same database and registry, verifying on the main thread: the reference the pool must agree with.
    inProcess = createServices({ ...t.services.config, verifyWorkers: 0 }, t.db);
    officer = (await t.login('certifying_officer')).headers;
  });
  afterAll(async () => t.close());

  it('gives the verdicts in-process verification gives: valid, tampered, revoked, narrowed checks, a presentation', async () => {
    expect(t.services.credentials.pool).toBeDefined();
    expect(inProcess.credentials.pool).toBeUndefined();
    const valid = await issue(badge(t.issuer.did, { name: 'Ana Reyes' }));
    const tampered = { ...valid, credentialSubject: { ...(valid.credentialSubject as object), name: 'Someone Else' } };
    const revoked = await issue(badge(t.issuer.did, { name: 'Ben Cruz' }));
    const revocation = await t.app.inject({ method: 'POST', url: `/credentials/${encodeURIComponent(revoked.id)}/revoke`, headers: officer, payload: { reason: 'error' } });
    expect(revocation.statusCode).toBe(200);
    const { did, signer } = await newDidKey();
    const outsider = await signCredential(typicalCredential(did), { signer, documentLoader: nodeDocumentLoader() });

    const cases: Array<[string, unknown, object]> = [
      ['valid', valid, {}],
      ['tampered', tampered, {}],
      ['revoked', revoked, {}],
      ['revoked, status not asked for', revoked, { checks: ['proof'] }],
      ['outside issuer', outsider, {}],
      ['not an object', [1, 2], {}],
    ];
    const byName: Record<string, { verified: boolean; checks: Check[] }> = {};
    for (const [name, document, options] of cases) {
      const pooled = await t.services.credentials.verify(document, options);
      const local = await inProcess.credentials.verify(document, options);
      expect({ name, verified: pooled.verified, checks: outline(pooled.checks), notChecked: pooled.notChecked }).toEqual({ name, verified: local.verified, checks: outline(local.checks), notChecked: local.notChecked });
      byName[name] = pooled;
    }
    expect(byName.valid!.verified).toBe(true);
    expect(byName.tampered!.checks.find((c) => c.id === 'signature')).toMatchObject({ valid: false, code: 'invalid_signature' });
    expect(byName.revoked!.checks.find((c) => c.id === 'status')).toMatchObject({ valid: false, code: 'revoked' });
    expect(byName['revoked, status not asked for']!.verified).toBe(true);
    expect(byName['outside issuer']!.checks.find((c) => c.id === 'issuer')).toMatchObject({ valid: false, code: 'unknown_issuer' });

    const presentation = { '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'], verifiableCredential: [valid, tampered] };
    const pooled = await t.services.credentials.verifyPresentation(presentation, {});
    const local = await inProcess.credentials.verifyPresentation(presentation, {});
    expect(pooled.verified).toBe(false);
    expect(pooled.credentials.map((c) => c.verified)).toEqual([true, false]);
    expect([outline(pooled.presentation.checks), pooled.credentials.map((c) => outline(c.checks))]).toEqual([outline(local.presentation.checks), local.credentials.map((c) => outline(c.checks))]);
    expect(t.services.credentials.pool!.stats()).toMatchObject({ size: 2, running: 0, queued: 0 });
  });

  it('signs on the workers with the body\'s key held on the main thread; a document error keeps its 4xx code across the thread', async () => {
    const issued = await issue(badge(t.issuer.did));
    expect(issued.proof).toMatchObject({ cryptosuite: 'eddsa-rdfc-2022', verificationMethod: expect.stringContaining(t.issuer.did) });
    expect((await inProcess.credentials.verify(issued)).verified).toBe(true);
    const undefinedTerm = { ...badge(t.issuer.did), termNoContextDefines: 'x' };
    const refused = await t.app.inject({ method: 'POST', url: '/credentials/issue', headers: officer, payload: { credential: undefinedTerm } });
    expect([refused.statusCode, refused.json().code]).toEqual([400, 'invalid_jsonld']);
  });
});

describe('the pool\'s queue bound', () => {
  it('runs what fits, queues up to maxQueue, refuses the rest with verification_busy until work finishes, and signs past the bounds', async () => {
    // A did:web issuer: its key is asked of the main thread, where the test holds the answer back.
    const { did: didKey, signer } = await newDidKey();
    const did = 'did:web:bench.example:bodies:held';
    const fingerprint = didKey.slice('did:key:'.length);
    const vm = `${did}#${fingerprint}`;
    const keyLoader = nodeDocumentLoader();
    const didDocument = { ...((await keyLoader(didKey)).document as Record<string, unknown>) };
    const asWeb = JSON.parse(JSON.stringify(didDocument).replaceAll(didKey, did)) as Record<string, unknown>;
    const webSigner = { ...signer, id: vm, sign: signer.sign };
    const loader = nodeDocumentLoader({ resolveDid: async (d) => (d === did ? (asWeb as never) : undefined) });
    const credential = await signCredential(typicalCredential(did), { signer: webSigner, documentLoader: loader });
    const held = gate();
    let loads = 0;
    const host: ProofHost = {
      load: async (url) => {
        loads += 1;
        await held.opened;
        return loader(url);
      },
    };
    const pool = new ProofPool(host, { size: 1, perWorker: 1, maxQueue: 1 });
    const options = { resourceBytes: false };
    try {
      const first = pool.verifyProofs(credential, options);
      await until(() => loads, 1);
      const second = pool.verifyProofs(credential, options);
      expect(pool.stats()).toMatchObject({ workers: 1, running: 1, queued: 1, maxQueue: 1 });
      await expect(pool.verifyProofs(credential, options)).rejects.toMatchObject({ code: 'verification_busy', statusCode: 503 });
      // A signature (made inside an issuing transaction) never waits behind verifications held up on the database.
      const signed = await pool.sign(typicalCredential(didKey), signer, '2026-11-01T00:00:00Z');
      expect(signed.proof).toMatchObject({ verificationMethod: signer.id, created: '2026-11-01T00:00:00Z', proofValue: expect.stringMatching(/^z/) });
      expect(pool.stats()).toMatchObject({ running: 1, queued: 1 });
      held.open();
      const results = await Promise.all([first, second]);
      expect(results.map((r) => r.checks.find((c) => c.id === 'signature')?.valid)).toEqual([true, true]);
      expect((await pool.verifyProofs(credential, options)).methods).toEqual([vm]);
    } finally {
      await pool.close();
    }
  });
});

describe('a job\'s own document source and known contexts (POST /verify/qr checks against the trust bundle)', () => {
  it('asks the job\'s source, not the pool\'s host, for a did:web document; a context left out of the job\'s list is refused', async () => {
    const { did: didKey, signer } = await newDidKey();
    const did = 'did:web:bundle.example:bodies:one';
    const vm = `${did}#${didKey.slice('did:key:'.length)}`;
    const keyLoader = nodeDocumentLoader();
    const asWeb = JSON.parse(JSON.stringify((await keyLoader(didKey)).document).replaceAll(didKey, did)) as Record<string, unknown>;
    const loader = nodeDocumentLoader({ resolveDid: async (d) => (d === did ? (asWeb as never) : undefined) });
    const credential = await signCredential(typicalCredential(did), { signer: { ...signer, id: vm }, documentLoader: loader });
    const asked = { host: 0, source: 0 };
    const pool = new ProofPool({ load: async (url) => (asked.host++, loader(url)) }, { size: 1 });
    try {
      const phase = await pool.verifyProofs(credential, { resourceBytes: false }, { load: async (url) => (asked.source++, loader(url)) });
      expect(phase.checks.find((c) => c.id === 'signature')?.valid).toBe(true);
      expect(asked.host).toBe(0);
      expect(asked.source).toBeGreaterThan(0);
      const contexts = (credential['@context'] as string[]).slice(0, 1);
      const narrowed = await pool.verifyProofs(credential, { resourceBytes: false, knownContexts: contexts }, { load: loader });
      expect(narrowed.checks.find((c) => c.id === 'context')).toMatchObject({ valid: false });
    } finally {
      await pool.close();
    }
  });
});

describe('a QR job: the payload decoded and its credential\'s proofs checked in one job (POST /verify/qr)', () => {
  it('gives what the in-process decode gives, and asks the job\'s source for a type table once per set of tables', async () => {
    const printed = JSON.parse(readFileSync(new URL('../qr/fixtures/printed-2026-11.json', import.meta.url), 'utf8')) as { registryEntryId: number; payload: string; source: TypeTableSource };
    const contexts = bundledContexts();
    const documentLoader = createDocumentLoader({ contexts });
    const tables = typeTableLoaderFrom([{ registryEntryId: printed.registryEntryId, source: printed.source }]);
    const asked: number[] = [];
    const counting = (): TypeTableLoader => async (o) => (asked.push(o.registryEntryId), tables(o));
    const now = new Date('2027-03-01T00:00:00Z');
    const knownContexts = new Set(contexts.keys());
    const options = { now: now.toISOString(), knownContexts: [...knownContexts], resourceBytes: false };
    const inProcess = (text: string, typeTableLoader: TypeTableLoader = tables) => decodeAndProve(text, { documentLoader, knownContexts, now, typeTableLoader });
    // Nothing of a QR job is the pool host's business: its tables and documents come from the job's source.
    const pool = new ProofPool({ load: async (url) => Promise.reject(new Error(`the pool's host was asked for ${url}`)) }, { size: 1 });
    try {
      const expected = await inProcess(printed.payload);
      expect('proofs' in expected && expected.proofs.checks.find((c) => c.id === 'signature')?.valid).toBe(true);
      const bundle = { load: documentLoader, typeTable: counting() };
      expect(await pool.verifyQr(printed.payload, options, bundle)).toEqual(expected);
      expect(await pool.verifyQr(printed.payload, options, bundle)).toEqual(expected);
      expect(asked).toEqual([printed.registryEntryId]);
      // A new trust bundle comes with a new loader: its tables are asked for again.
      expect(await pool.verifyQr(printed.payload, options, { load: documentLoader, typeTable: counting() })).toEqual(expected);
      expect(asked).toEqual([printed.registryEntryId, printed.registryEntryId]);

      const without = typeTableLoaderFrom([]);
      expect(await pool.verifyQr(printed.payload, options, { load: documentLoader, typeTable: without })).toEqual({ failure: 'qr_table_unknown' });
      expect(await inProcess(printed.payload, without)).toEqual({ failure: 'qr_table_unknown' });
      for (const text of ['HELLO', printed.payload.slice(0, 60)]) {
        expect(await pool.verifyQr(text, options, bundle)).toEqual({ failure: 'qr_malformed' });
        expect(await inProcess(text)).toEqual({ failure: 'qr_malformed' });
      }
    } finally {
      await pool.close();
    }
  });
});
