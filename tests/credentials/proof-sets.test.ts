import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import jsigs from 'jsonld-signatures';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../../src/credentials/checks.js';
import { signCredential } from '../../src/credentials/sign.js';
import { verifyCredential, type VerifyOptions } from '../../src/credentials/verify.js';
import { bundledContexts, nodeDocumentLoader } from '../../src/jsonld/index.js';
import type { Signer } from '../../src/keys/signer.js';
import { badge, newDidKey } from '../helpers/credentials.js';

type Json = Record<string, unknown>;
const documentLoader = nodeDocumentLoader();
const knownContexts = new Set(bundledContexts().keys());
const options: VerifyOptions = { documentLoader, knownContexts };

interface Key { did: string; signer: Signer }
let issuer: Key;
let notary: Key;

beforeAll(async () => {
  [issuer, notary] = await Promise.all([newDidKey(), newDidKey()]);
});

const proofsOf = (doc: Json): Json[] => (doc.proof === undefined ? [] : Array.isArray(doc.proof) ? (doc.proof as Json[]) : [doc.proof as Json]);

/**
 * Adds one proof the way VC Data Integrity §4.3 (Add Proof Set/Chain) says: a proof naming `previousProof` signs the
 * unsecured document with `proof` set to the proofs it follows; one without signs the unsecured document.
 */
async function addProof(doc: Json, key: Key, template: { id?: string; previousProof?: string | string[] } = {}, over?: Json[]): Promise<Json> {
  const { proof: _existing, ...unsecured } = doc;
  const previous = over ?? proofsOf(doc).filter((p) => ([] as unknown[]).concat(template.previousProof ?? []).includes(p.id));
  const suite = new DataIntegrityProof({ signer: key.signer, date: null, cryptosuite: eddsaRdfc2022 });
  suite.proof = { ...template };
  const input = previous.length ? { ...unsecured, proof: previous } : unsecured;
  const proof = await suite.createProof({ document: input, purpose: new jsigs.purposes.AssertionProofPurpose(), documentLoader });
  return { ...unsecured, proof: [...proofsOf(doc), proof] };
}

const check = (checks: Check[], id: string) => checks.find((c) => c.id === id);

describe('proof sets (VC Data Integrity §2.1.2)', () => {
  it('a set whose issuer proof is not the first verifies and is bound to the issuer', async () => {
    const signed = await addProof(await addProof(badge(issuer.did), notary), issuer);
    expect(proofsOf(signed)).toHaveLength(2);
    const result = await verifyCredential(signed, options);
    expect(check(result.checks, 'signature')).toMatchObject({ valid: true, message: 'all 2 proofs of the set are valid for the content' });
    expect(check(result.checks, 'issuer_binding')).toMatchObject({ valid: true, status: 'pass', data: { controllers: [notary.did, issuer.did] } });
    expect(result.verified).toBe(true);
  });

  it('a set made by the usual signer twice (jsonld-signatures appends to the set) verifies', async () => {
    const once = await signCredential(badge(issuer.did), { signer: notary.signer, documentLoader });
    const twice = await signCredential(once, { signer: issuer.signer, documentLoader });
    const result = await verifyCredential(twice, options);
    expect(result.verified).toBe(true);
  });

  it('one broken proof breaks the set, even when another proof holds', async () => {
    const signed = await addProof(await addProof(badge(issuer.did), issuer), notary);
    const broken = structuredClone(signed);
    const second = proofsOf(broken)[1]!;
    second.proofValue = proofsOf(await addProof(badge(notary.did), notary))[0]!.proofValue;
    const result = await verifyCredential(broken, options);
    expect(check(result.checks, 'signature')).toMatchObject({ valid: false, code: 'invalid_signature' });
    expect(result.verified).toBe(false);
  });

  it('a set with no proof by the issuer fails issuer binding', async () => {
    const other = await newDidKey();
    const signed = await addProof(await addProof(badge(issuer.did), notary), other);
    const result = await verifyCredential(signed, options);
    expect(check(result.checks, 'signature')).toMatchObject({ valid: true });
    expect(check(result.checks, 'issuer_binding')).toMatchObject({ valid: false, code: 'issuer_key_mismatch' });
    expect(result.verified).toBe(false);
  });
});

describe('proof chains (VC Data Integrity §2.1.3, §4.5)', () => {
  const FIRST = 'urn:uuid:4f7b4a58-2d36-4c4e-9f49-1a8f6bb2a001';

  it('a chain started by the issuer and counter-signed over the issuer proof verifies and is bound', async () => {
    const chained = await addProof(await addProof(badge(issuer.did), issuer, { id: FIRST }), notary, { previousProof: FIRST });
    const result = await verifyCredential(chained, options);
    expect(check(result.checks, 'signature')).toMatchObject({ valid: true, message: 'all 2 proofs are valid for the content' });
    expect(check(result.checks, 'issuer_binding')).toMatchObject({ valid: true, data: { controller: issuer.did } });
    expect(result.verified).toBe(true);
  });

  it('previousProof as a list of ids verifies', async () => {
    const SECOND = 'urn:uuid:4f7b4a58-2d36-4c4e-9f49-1a8f6bb2a002';
    const set = await addProof(await addProof(badge(issuer.did), issuer, { id: FIRST }), notary, { id: SECOND });
    const chained = await addProof(set, await newDidKey(), { previousProof: [FIRST, SECOND] });
    expect((await verifyCredential(chained, options)).verified).toBe(true);
  });

  it('a previousProof naming a proof the credential does not hold fails (PROOF_VERIFICATION_ERROR)', async () => {
    const first = await addProof(badge(issuer.did), issuer, { id: FIRST });
    const dangling = await addProof(first, notary, { previousProof: 'urn:uuid:00000000-0000-4000-8000-000000000000' }, proofsOf(first));
    const result = await verifyCredential(dangling, options);
    expect(check(result.checks, 'signature')).toMatchObject({ valid: false, code: 'previous_proof_missing' });
    expect(result.verified).toBe(false);
  });

  it('a chained proof that does not cover the proof it names fails', async () => {
    const first = await addProof(badge(issuer.did), issuer, { id: FIRST });
    // Signed over the bare document (as a set member would be) yet claiming to follow FIRST.
    const loose = await addProof(first, notary, { previousProof: FIRST }, []);
    const result = await verifyCredential(loose, options);
    expect(check(result.checks, 'signature')).toMatchObject({ valid: false, code: 'invalid_signature' });
    expect(result.verified).toBe(false);
  });

  it('removing the proof a chain starts from fails', async () => {
    const chained = await addProof(await addProof(badge(issuer.did), issuer, { id: FIRST }), notary, { previousProof: FIRST });
    const cut = { ...chained, proof: [proofsOf(chained)[1]] };
    expect(check((await verifyCredential(cut, options)).checks, 'signature')).toMatchObject({ valid: false, code: 'previous_proof_missing' });
  });

  it('the issuer binding comes from the chain\'s first proof: an issuer proof chained after another body\'s is not enough', async () => {
    const chained = await addProof(await addProof(badge(issuer.did), notary, { id: FIRST }), issuer, { previousProof: FIRST });
    const result = await verifyCredential(chained, options);
    expect(check(result.checks, 'signature')).toMatchObject({ valid: true });
    expect(check(result.checks, 'issuer_binding')).toMatchObject({ valid: false, code: 'issuer_key_mismatch' });
  });
});

describe('inline @context objects', () => {
  const inline = (did: string) => {
    const base = badge(did);
    return { ...base, '@context': [...(base['@context'] as string[]), { nickname: 'https://example.org/vocab#nickname' }], nickname: 'Siti' };
  };

  it('are refused by default (registry and offline verifiers) and accepted when asked (VC API: the signature covers them)', async () => {
    const signed = await signCredential(inline(issuer.did), { signer: issuer.signer, documentLoader });
    const strict = await verifyCredential(signed, options);
    expect(check(strict.checks, 'context')).toMatchObject({ valid: false, code: 'unknown_context' });
    const open = await verifyCredential(signed, { ...options, inlineContexts: true });
    expect(check(open.checks, 'context')).toMatchObject({ valid: true });
    expect(check(open.checks, 'signature')).toMatchObject({ valid: true });
    expect(open.verified).toBe(true);
    const tampered = { ...signed, '@context': [...(signed['@context'] as unknown[]).slice(0, -1), { nickname: 'https://example.org/vocab#alias' }] };
    expect(check((await verifyCredential(tampered, { ...options, inlineContexts: true })).checks, 'signature')).toMatchObject({ valid: false });
  });

  it('keep registry checks from running for a known issuer: they need known contexts', async () => {
    const signed = await signCredential(inline(issuer.did), { signer: issuer.signer, documentLoader });
    let consulted = false;
    const result = await verifyCredential(signed, {
      ...options,
      inlineContexts: true,
      lookupIssuer: async () => ({ known: true, name: 'Test Certifying Body' }),
      checkRegistry: async () => {
        consulted = true;
        return [];
      },
    });
    expect(consulted).toBe(false);
    expect(check(result.checks, 'registry')).toMatchObject({ valid: false, code: 'unknown_context' });
  });
});
