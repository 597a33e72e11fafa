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

  it('says why in one line: the failure of an INVALID one, whose claims are not confirmed; the issuer of a VALID one', async () => {
    const byName = (name: string) => set.vectors.find((v) => v.name === name)!;
    const tampered = await verifyQrText(byName('tampered').payload, data.current);
    expect(tampered).toMatchObject({ verdict: 'INVALID', claimsConfirmed: false, reason: { key: 'invalid_signature', check: 'signature' } });
    const valid = await verifyQrText(byName('valid').payload, data.current);
    expect(valid).toMatchObject({ verdict: 'VALID', claimsConfirmed: true, reason: { key: 'reason.VALID', params: { issuer: 'TESDA Test Region' } } });
  });

  it('a certificate newer than the data cannot be checked yet, never INVALID; with newer data it is VALID', async () => {
    const v = set.vectors.find((x) => x.name === 'newer than the data')!;
    const before = await verifyQrText(v.payload, data.current);
    expect(before).toMatchObject({ verdict: 'CANNOT_CHECK', claimsConfirmed: false, reason: { key: 'qr_table_unknown' } });
    const contexts = bundledContexts();
    const newer = await createVerifierData(await openTrustBundle(set.newerBundle, { authority: set.authority, contexts }), contexts);
    expect((await verifyQrText(v.payload, newer)).verdict).toBe('VALID');
  });

  it('a provisional AQRF mapping is a note beside the level, not a warning', async () => {
    const verdict = await verifyQrText(set.vectors.find((x) => x.name === 'provisional AQRF level')!.payload, data.current);
    expect(verdict.verdict).toBe('VALID');
    expect(verdict.checks.find((c) => c.id === 'aqrf_level')).toMatchObject({ status: 'info', code: 'aqrf_provisional' });
    expect(verdict.summary?.aqrfLevel).toMatchObject({ level: 4, status: 'provisional' });
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
