import { beforeAll, describe, expect, it } from 'vitest';
import { bundledContexts, nodeDocumentLoader } from '../../src/jsonld/index.js';
import type { TrustBundle, UnsignedTrustBundle } from '../../src/trust/bundle.js';
import { openTrustBundle } from '../../src/trust/open.js';
import { signTrustBundle } from '../../src/trust/sign.js';
import { verifyQrText } from '../../src/verifier/pipeline.js';
import { createVerifierData } from '../../src/verifier/verifier-data.js';
import { buildVectorSet, keyFromSeed, type KeyHolder, type VectorSet } from '../verifier/fixtures.js';

/*
 * Trust bundle format 2 adds key compromise. A verifier of this version still opens format 1 bundles (and enforces
 * the retirement they record); a format it does not know is refused as a whole.
 */

let set: VectorSet;
let authority: KeyHolder;
const contexts = bundledContexts();

beforeAll(async () => {
  set = await buildVectorSet();
  authority = await keyFromSeed(51); // the vector set's registry authority
});

/** The vector bundle's content, changed by `edit` and signed again by the same authority. */
async function resigned(edit: (b: UnsignedTrustBundle) => void): Promise<TrustBundle> {
  const { proof: _proof, ...unsigned } = structuredClone(set.bundle);
  edit(unsigned);
  return signTrustBundle(unsigned, authority.signer, nodeDocumentLoader());
}

const verdictWith = async (bundle: TrustBundle) => {
  const data = await createVerifierData(await openTrustBundle(JSON.stringify(bundle), { authority: set.authority, contexts }), contexts);
  const v = await verifyQrText(set.vectors[0]!.payload, data);
  return { verdict: v.verdict, failing: v.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}:${c.code}`) };
};

describe('trust bundle formats', () => {
  it('builds format 2 and still opens format 1, whose key retirement is enforced', async () => {
    expect(set.bundle.format).toBe(2);
    const v1 = await resigned((b) => (b.format = 1));
    expect(await verdictWith(v1)).toEqual({ verdict: 'VALID', failing: [] });

    // Format 1 knew retirement: the vector credential's proof has no `created`, so a retired key cannot date it.
    const retired = await resigned((b) => {
      b.format = 1;
      const vm = b.registry.issuers[0]!.verificationMethods[0]!;
      Object.assign(vm, { status: 'retired', retiredAt: '2025-01-01T00:00:00.000Z' });
    });
    expect(await verdictWith(retired)).toEqual({ verdict: 'INVALID', failing: ['signing_key:key_retired'] });
  });

  it('a compromised key in a format 2 bundle fails every credential it signed', async () => {
    const compromised = await resigned((b) => {
      const vm = b.registry.issuers[0]!.verificationMethods[0]!;
      Object.assign(vm, { status: 'compromised', retiredAt: '2025-01-01T00:00:00.000Z', compromisedAt: '2025-01-01T00:00:00.000Z' });
    });
    expect(await verdictWith(compromised)).toEqual({ verdict: 'INVALID', failing: ['signing_key:key_compromised'] });
  });

  it('refuses a format it does not know', async () => {
    const future = await resigned((b) => (b.format = 3));
    await expect(openTrustBundle(JSON.stringify(future), { authority: set.authority, contexts })).rejects.toMatchObject({
      code: 'trust_bundle_invalid',
      details: { reason: 'unsupported format 3' },
    });
  });
});
