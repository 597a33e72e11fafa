import { beforeAll, describe, expect, it } from 'vitest';
import { bundledContexts } from '../../src/jsonld/index.js';
import { openTrustBundle } from '../../src/trust/open.js';
import { verifyQrText } from '../../src/verifier/pipeline.js';
import { createVerifierData, type VerifierData } from '../../src/verifier/verifier-data.js';
import { buildVectorSet, type VectorSet } from './fixtures.js';

let set: VectorSet;
const data: Record<'current' | 'stale', VerifierData> = {} as never;

beforeAll(async () => {
  set = await buildVectorSet();
  const contexts = bundledContexts();
  data.current = await createVerifierData(await openTrustBundle(JSON.stringify(set.bundle), { authority: set.authority, contexts }), contexts);
  data.stale = await createVerifierData(await openTrustBundle(set.staleBundle, { authority: set.authority, contexts }), contexts);
});

describe('the verify pipeline over the shared vectors (Node)', () => {
  it('covers every vector', () => expect(set.vectors.length).toBeGreaterThanOrEqual(20));

  it.each(Array.from({ length: 20 }, (_, i) => i))('vector %i reaches its verdict for its own reason', async (i) => {
    const v = set.vectors[i]!;
    const verdict = await verifyQrText(v.payload, data[v.bundle]);
    const notPassing = verdict.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status}:${c.code}`);
    expect({ name: v.name, verdict: verdict.verdict }).toEqual({ name: v.name, verdict: v.verdict });
    if (v.expect) expect(notPassing).toContain(`${v.expect.id}:${v.expect.status}:${v.expect.code}`);
    else expect(notPassing).toEqual([]);
    if (verdict.verdict !== 'INVALID') expect(notPassing.every((c) => !c.includes(':fail:'))).toBe(true);
    for (const c of verdict.checks) expect(c.key).toMatch(/^[a-z_.]+$/);
  });

  it('summarises the valid certificate for the reader', async () => {
    const verdict = await verifyQrText(set.vectors[0]!.payload, data.current);
    expect(verdict.summary).toMatchObject({
      holderName: 'Maria Clara Dela Cruz Santos',
      qualification: { code: 'TEST-HSK-NC2', titles: { fil: 'TEST-HSK-NC2 pamagat' } },
      nationalLevel: { framework: 'PQF', level: '2' },
      aqrfLevel: { level: 2, status: 'official' },
      issuer: { name: 'TESDA Test Region', country: 'PH' },
      status: { state: 'not_revoked' },
    });
    expect(verdict.summary?.units).toHaveLength(6);
    expect(verdict.summary?.units[0]).toMatchObject({ code: 'TRS512311' });
    expect(verdict.dataAge).toMatchObject({ ageDays: 1, stale: false });
  });
});

describe('opening a trust bundle', () => {
  const contexts = bundledContexts();
  it('refuses a bundle changed after signing', async () => {
    await expect(openTrustBundle(set.tamperedBundle, { authority: set.authority, contexts })).rejects.toMatchObject({ code: 'trust_bundle_invalid' });
  });
  it('refuses a well-signed bundle from another authority', async () => {
    await expect(openTrustBundle(set.foreignBundle, { authority: set.authority, contexts })).rejects.toMatchObject({
      code: 'trust_bundle_invalid',
      details: { reason: 'signed by another authority than the one this verifier trusts' },
    });
  });
  it('refuses a bundle whose authority field is forged to the pinned one but signed by another key', async () => {
    const forged = { ...structuredClone(set.foreignBundle), authority: set.authority };
    await expect(openTrustBundle(forged, { authority: set.authority, contexts })).rejects.toMatchObject({ code: 'trust_bundle_invalid' });
  });
  it('refuses text that is not a bundle', async () => {
    await expect(openTrustBundle('{"type":"Other"}', { authority: set.authority, contexts })).rejects.toMatchObject({ code: 'trust_bundle_invalid' });
    await expect(openTrustBundle('not json', { authority: set.authority, contexts })).rejects.toMatchObject({ code: 'trust_bundle_invalid' });
  });
});
