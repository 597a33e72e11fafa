import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '../helpers/db.js';
import { sendAll, type FuzzOutcome, type FuzzRequest } from '../helpers/fuzz.js';
import { createFuzzWorld, fuzzSettings, type FuzzWorld } from '../helpers/fuzz-world.js';

/**
 * Every operation of the OpenAPI document, as every kind of caller, with malformed, boundary and hostile values:
 * any 5xx, a request that never answers, or a refusal without a code of the error table fails. TANDA_FUZZ_RUNS sets the requests per operation (default 80),
 * TANDA_FUZZ_SEED the seed (fixed by default, so a failure reproduces).
 */
const { runs, seed } = fuzzSettings(80);
const HANG_MS = 20_000;

let world: FuzzWorld;
let requests: FuzzRequest[];
let outcome: FuzzOutcome;
// What the built-in prototypes hold before any request: a request must never add to them (prototype pollution).
const prototypes = () => [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).sort());
const pristine = prototypes();

beforeAll(async () => {
  world = await createFuzzWorld();
  requests = await world.generate(seed, runs);
});
afterAll(async () => world?.t.close());

describe(`OpenAPI fuzz on ${testDialect} (seed ${seed}, ${runs} requests per operation)`, () => {
  it('covers every operation of the document, with JSON, CSV, invalid UTF-8 and broken multipart bodies among the requests', () => {
    expect(world.ops.length).toBeGreaterThan(50);
    const routes = new Set(requests.map((r) => r.route));
    for (const op of world.ops) expect(routes.has(`${op.method} ${op.path}`), `${op.method} ${op.path}`).toBe(true);
    const kinds = new Set(requests.map((r) => r.bodyKind));
    for (const kind of ['json', 'invalid-utf8', 'multipart-no-boundary', 'multipart-truncated', 'csv'])
      expect(kinds.has(kind) || runs < 8, kind).toBe(true);
  });

  it('answers no request with a 5xx and leaves none hanging', async () => {
    outcome = await sendAll(world.t.app, requests, HANG_MS);
    expect(outcome.tried).toBe(requests.length);
    expect(outcome.hangs).toEqual([]);
    expect(outcome.serverErrors).toEqual([]);
  }, 600_000);

  it('answers every refusal with the error body and a code of the error table', () => {
    expect(outcome.uncoded).toEqual([]);
  });

  it('leaves the built-in prototypes as they were (a "__proto__" IRI once wrote @id onto Object.prototype)', () => {
    expect(outcome.tried).toBeGreaterThan(0);
    expect(prototypes()).toEqual(pristine);
  });
});
