import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { beforeAll, describe, expect, it } from 'vitest';
import { typicalCredential } from '../../bench/credentials.js';
import { AchievementMemo } from '../../src/credentials/achievement-memo.js';
import { signCredential } from '../../src/credentials/sign.js';
import { verifyCredential } from '../../src/credentials/verify.js';
import { bundledContexts, nodeDocumentLoader, type DocumentLoader } from '../../src/jsonld/index.js';
import { createCachedSigner } from '../../src/keys/signer.js';

type Doc = Record<string, any>;
const documentLoader = nodeDocumentLoader();
let did: string;
let base: Doc;

beforeAll(async () => {
  const pair = await Ed25519Multikey.generate();
  const e = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  did = `did:key:${e.publicKeyMultibase}`;
  base = typicalCredential(did);
});

/** The reference: the cryptosuite's own canonicalisation, with nothing remembered. */
const plain = (doc: Doc, loader: DocumentLoader = documentLoader) => eddsaRdfc2022.canonize(doc, { documentLoader: loader });

async function expectSameAsPlain(memo: AchievementMemo, doc: Doc, loader: DocumentLoader = documentLoader) {
  const expected = await plain(doc, loader);
  // Three times: the first sighting takes the plain path, the second fills the memo, the third reads it.
  for (let i = 0; i < 3; i += 1) expect(await memo.canonize(doc, { documentLoader: loader })).toBe(expected);
}

/** A deterministic generator, so a failing variant can be reproduced from its seed. */
function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function variant(seed: number): Doc {
  const r = random(seed);
  const doc = structuredClone(base);
  const achievement = doc.credentialSubject.achievement;
  achievement.alignment = achievement.alignment.slice(0, Math.floor(r() * (achievement.alignment.length + 1)));
  if (r() < 0.3) achievement.alignment.push({ type: ['Alignment'], id: doc.issuer.id, targetName: 'shares an IRI with the issuer', targetUrl: 'https://tanda.example/x' });
  if (r() < 0.3) delete achievement.criteria;
  if (r() < 0.3) achievement.inLanguage = 'fil';
  if (r() < 0.2) doc.credentialSubject.achievement = { '@id': achievement.id, ...achievement, id: undefined };
  if (r() < 0.3) doc.type = ['OpenBadgeCredential', 'VerifiableCredential'];
  if (r() < 0.3) doc.credentialSubject.id = `did:example:${seed}`;
  if (r() < 0.3) doc.evidence = [{ type: ['Evidence'], name: 'Portfolio', genre: 'Observation' }];
  if (r() < 0.3) doc.credentialStatus = { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(seed), statusListCredential: 'https://tanda.example/status/1' };
  // The achievement node also described outside the subtree: its quads must not be counted twice.
  if (r() < 0.2) doc.credentialSubject.source = { id: achievement.id, type: ['Profile'], name: achievement.name };
  doc.credentialSubject.identifier[0].identityHash = `Holder ${seed}`;
  return JSON.parse(JSON.stringify(doc)) as Doc;
}

describe('AchievementMemo canonicalisation', () => {
  it('gives the cryptosuite’s bytes for 200 credential variants, remembering each achievement once', async () => {
    const memo = new AchievementMemo();
    for (let seed = 1; seed <= 200; seed += 1) await expectSameAsPlain(memo, variant(seed));
    const stats = await memo.stats();
    expect(stats.remembered).toBeGreaterThan(10);
    expect(stats.notEligible).toBe(0);
  });

  it('remembers an achievement the second time it is seen', async () => {
    const memo = new AchievementMemo();
    expect(await memo.canonize(base, { documentLoader })).toBe(await plain(base));
    expect(await memo.stats()).toEqual({ remembered: 0, notEligible: 0 });
    expect(await memo.canonize(base, { documentLoader })).toBe(await plain(base));
    expect(await memo.stats()).toEqual({ remembered: 1, notEligible: 0 });
  });

  it('re-uses one achievement across holders, and a changed achievement leaf is a different entry', async () => {
    const memo = new AchievementMemo();
    for (const name of ['Ana', 'Budi', 'Chanthy']) {
      const doc = structuredClone(base);
      doc.credentialSubject.identifier[0].identityHash = name;
      await expectSameAsPlain(memo, doc);
    }
    expect(await memo.stats()).toEqual({ remembered: 1, notEligible: 0 });

    const changed = structuredClone(base);
    changed.credentialSubject.achievement.alignment[2].targetUrl += 'x';
    await expectSameAsPlain(memo, changed);
    expect(await memo.canonize(changed, { documentLoader })).not.toBe(await memo.canonize(base, { documentLoader }));
    expect(await memo.stats()).toEqual({ remembered: 2, notEligible: 0 });
  });

  it('takes the plain path when the achievement has blank-node ids, no id, or a reverse property', async () => {
    const memo = new AchievementMemo();
    const blank = structuredClone(base);
    blank.credentialSubject.achievement.alignment[0].id = '_:x';
    blank.issuer = { ...blank.issuer, url: '_:x' };
    await expectSameAsPlain(memo, blank);

    const anonymous = structuredClone(base);
    delete anonymous.credentialSubject.achievement.id;
    await expectSameAsPlain(memo, anonymous);
    expect(await memo.stats()).toEqual({ remembered: 0, notEligible: 0 });

    // A reverse property puts a quad outside the subtree's reach: the first-use check must refuse the key.
    const reverse = structuredClone(base);
    reverse.credentialSubject.achievement['@reverse'] = { 'https://example.org/vocab#requires': { id: 'https://example.org/course/1' } };
    await expectSameAsPlain(memo, reverse);
    expect(await memo.stats()).toEqual({ remembered: 0, notEligible: 1 });
  });

  it('takes the plain path under a context that aliases another keyword, or an embedded context', async () => {
    const aliasUrl = 'https://example.org/contexts/alias';
    const alias = { '@context': { kind: '@type' } };
    const loader = (async (url: string) =>
      url === aliasUrl ? { contextUrl: null, documentUrl: url, document: alias, tag: 'static' } : documentLoader(url)) as DocumentLoader;
    const memo = new AchievementMemo();
    // `kind` is another name for `type`, so the key (contexts + types) would not capture every type-scoped context.
    const aliased = { ...structuredClone(base), '@context': [aliasUrl, ...base['@context']], kind: 'https://example.org/vocab#Course' };
    await expectSameAsPlain(memo, aliased, loader);
    const embedded = { ...structuredClone(base), '@context': [...base['@context'], { note: 'https://example.org/vocab#note' }], note: 'n' };
    await expectSameAsPlain(memo, embedded);
    expect(await memo.stats()).toEqual({ remembered: 0, notEligible: 1 });
  });

  it('rejects an undefined term inside the achievement, as safe mode does without the memo', async () => {
    const memo = new AchievementMemo();
    const undefinedTerm = structuredClone(base);
    undefinedTerm.credentialSubject.achievement.alignment[1].notAnObTerm = 'dropped';
    await expect(plain(undefinedTerm)).rejects.toThrow(/safe mode/i);
    await expect(memo.canonize(undefinedTerm, { documentLoader })).rejects.toThrow(/safe mode/i);
    await expect(memo.canonize(undefinedTerm, { documentLoader })).rejects.toThrow(/safe mode/i);
  });
});

describe('interop with the plain cryptosuite', () => {
  it('our signature verifies in plain @digitalbazaar/vc, and its signature verifies in ours', async () => {
    const pair = await Ed25519Multikey.generate();
    const e = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
    const keyDid = `did:key:${e.publicKeyMultibase}`;
    const vm = `${keyDid}#${e.publicKeyMultibase}`;
    const credential = typicalCredential(keyDid, 12);

    const ours = await signCredential(credential, { signer: await createCachedSigner(vm, e.secretKeyMultibase!, e.publicKeyMultibase), documentLoader });
    const plainResult = await vc.verifyCredential({ credential: ours, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader });
    expect(plainResult.verified, JSON.stringify(plainResult.error)).toBe(true);

    const key = await Ed25519Multikey.from({ id: vm, controller: keyDid, publicKeyMultibase: e.publicKeyMultibase, secretKeyMultibase: e.secretKeyMultibase! });
    const theirs = (await vc.issue({ credential: structuredClone(credential), suite: new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 }), documentLoader })) as Doc;
    const ourResult = await verifyCredential(theirs, { documentLoader, knownContexts: new Set(bundledContexts().keys()), now: new Date('2027-01-01T00:00:00Z') });
    expect(ourResult.checks.find((c) => c.id === 'signature')?.valid, JSON.stringify(ourResult.checks)).toBe(true);
    // Same document, same key, same proof options: the signatures agree byte for byte (Ed25519 is deterministic).
    const again = await signCredential(credential, { signer: await createCachedSigner(vm, e.secretKeyMultibase!, e.publicKeyMultibase), documentLoader, created: String(theirs.proof.created) });
    expect(again.proof.proofValue).toBe(theirs.proof.proofValue);
  });
});
