import { describe, expect, it } from 'vitest';
import { bundledContexts, nodeDocumentLoader } from '../../src/jsonld/index.js';
import { OB_V3, TANDA_V1, VC_V2 } from '../../src/jsonld/urls.js';

const DID = 'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2';

describe('offline document loader', () => {
  const load = nodeDocumentLoader();

  it('resolves every context the product emits from contexts/', async () => {
    for (const url of [VC_V2, OB_V3, TANDA_V1, ...bundledContexts().keys()]) {
      const { document, documentUrl } = await load(url);
      expect(documentUrl).toBe(url);
      expect(document).toHaveProperty('@context');
    }
  });

  it('rejects an unknown context with its own code and never fetches', async () => {
    await expect(load('https://example.org/contexts/v9')).rejects.toMatchObject({ code: 'unknown_context' });
    await expect(load('https://example.org/thing')).rejects.toMatchObject({ code: 'unknown_document' });
  });

  it('resolves did:key documents and their verification methods locally', async () => {
    const { document } = await load(DID);
    expect(document).toMatchObject({ id: DID, assertionMethod: [`${DID}#${DID.slice(8)}`] });
    const vm = await load(`${DID}#${DID.slice(8)}`);
    expect(vm.document).toMatchObject({ type: 'Multikey', controller: DID });
  });

  it('refuses did:web unless the registry knows it, and malformed did:key', async () => {
    await expect(load('did:web:issuer.example')).rejects.toMatchObject({ code: 'unresolvable_did' });
    await expect(load('did:key:zNotAKey')).rejects.toMatchObject({ code: 'unresolvable_did' });
    const withRegistry = nodeDocumentLoader({
      resolveDid: async (did) =>
        did === 'did:web:issuer.example'
          ? { '@context': [], id: did, verificationMethod: [], assertionMethod: [], authentication: [] }
          : undefined,
    });
    await expect(withRegistry('did:web:issuer.example')).resolves.toMatchObject({ documentUrl: 'did:web:issuer.example' });
  });
});
