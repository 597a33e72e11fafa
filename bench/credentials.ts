import crypto from 'node:crypto';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';
import { JsonLdDocumentLoader } from 'jsonld-document-loader';
import { buildCredential, type Alignment } from '../src/credentials/build.js';
import { signCredential } from '../src/credentials/sign.js';
import { verifyCredential } from '../src/credentials/verify.js';
import { bundledContexts, nodeDocumentLoader } from '../src/jsonld/index.js';
import { createCachedSigner } from '../src/keys/signer.js';
import { rate } from './measure.js';

/** A typical certificate: 6 units, national + AQRF level, 30-character holder name. */
export function typicalCredential(did: string, units = 6): Record<string, unknown> {
  const alignment: Alignment[] = Array.from({ length: units }, (_, i) => ({
    type: ['Alignment'],
    targetName: `Competency unit number ${i + 1} of housekeeping`,
    targetUrl: `https://tanda.example/units/TRS5123${28 + i}`,
  }));
  alignment.push(
    { type: ['Alignment'], targetName: 'PQF Level 2', targetUrl: 'https://tanda.example/frameworks/ph-pqf/levels/2', targetFramework: 'PQF', targetCode: '2', targetType: 'ext:QualificationFrameworkLevel' },
    { type: ['Alignment'], targetName: 'AQRF Level 2', targetUrl: 'https://tanda.example/frameworks/aqrf/levels/2', targetFramework: 'AQRF', targetCode: '2', targetType: 'ext:ReferenceFrameworkLevel' },
  );
  return buildCredential({
    issuer: { did, name: 'TESDA National Capital Region' },
    holder: { name: 'Maria Clara Dela Cruz Santos Jr' },
    achievement: {
      id: 'https://tanda.example/qualifications/ph-tesda-housekeeping-nc2',
      kind: 'full_qualification',
      name: 'Housekeeping NC II',
      description: 'Cleans and prepares guest rooms and public areas.',
      criteria: 'All core units assessed competent.',
      humanCode: 'TRS512',
      alignment,
    },
    validFrom: '2026-11-01T00:00:00Z',
    validUntil: '2031-11-01T00:00:00Z',
  });
}

/**
 * Issue and verify throughput through our code and through a plain @digitalbazaar/vc baseline on the same
 * credential. The baseline is what a stateless issuer does with the libraries as documented: import the Multikey
 * for each signature, with a static jsonld-document-loader holding the same contexts. Successive credentials differ
 * in id and share the qualification, as a cohort's do; `issue_new_achievement_*` gives every credential an
 * achievement never seen before, where the achievement memo cannot help.
 */
export async function benchCredentials(seconds = 5): Promise<Record<string, number>> {
  const pair = await Ed25519Multikey.generate();
  const exported = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  const did = `did:key:${exported.publicKeyMultibase}`;
  const vm = `${did}#${exported.publicKeyMultibase}`;
  const credential = typicalCredential(did);

  const documentLoader = nodeDocumentLoader();
  const knownContexts = new Set(bundledContexts().keys());
  const signer = await createCachedSigner(vm, exported.secretKeyMultibase!, exported.publicKeyMultibase);

  // The baseline loader is what @digitalbazaar's own tools and the W3C test suites build: jsonld-document-loader
  // with every context added as static, and did:key documents made on the fly.
  const jdl = new JsonLdDocumentLoader();
  for (const [url, doc] of bundledContexts()) jdl.addStatic(url, structuredClone(doc));
  jdl.setProtocolHandler({
    protocol: 'did',
    handler: {
      async get({ url }) {
        const fp = url.slice('did:key:'.length).split('#')[0]!;
        const vmDoc = { id: `did:key:${fp}#${fp}`, type: 'Multikey', controller: `did:key:${fp}`, publicKeyMultibase: fp };
        return url.includes('#')
          ? { '@context': 'https://w3id.org/security/multikey/v1', ...vmDoc }
          : { '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'], id: `did:key:${fp}`, verificationMethod: [vmDoc], assertionMethod: [vmDoc.id] };
      },
    },
  });
  const baselineLoader = jdl.build();
  const baselineSign = async (unsigned: object) => {
    const key = await Ed25519Multikey.from({ id: vm, controller: did, publicKeyMultibase: exported.publicKeyMultibase, secretKeyMultibase: exported.secretKeyMultibase! });
    const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite: eddsaRdfc2022 });
    return vc.issue({ credential: unsigned, suite, documentLoader: baselineLoader });
  };
  const oursSign = (unsigned: Record<string, unknown>) => signCredential(unsigned, { signer, documentLoader });
  const withNewId = () => ({ ...credential, id: `urn:uuid:${crypto.randomUUID()}` });
  const baselineIssue = () => baselineSign(withNewId());
  const oursIssue = () => oursSign(withNewId());
  // The same credential with an achievement never seen before: what a body's first certificate of a qualification
  // costs, and the worst case for the achievement memo.
  let fresh = 0;
  const withNewAchievement = () => {
    const copy = structuredClone(credential) as { credentialSubject: { achievement: { id: string } } };
    copy.credentialSubject.achievement.id += `-${(fresh += 1)}`;
    return { ...copy, id: `urn:uuid:${crypto.randomUUID()}` } as Record<string, unknown>;
  };
  const oursIssueNew = () => oursSign(withNewAchievement());
  const baselineIssueNew = () => baselineSign(withNewAchievement());

  const signed = await oursIssue();
  const baselineVerify = () =>
    vc.verifyCredential({ credential: signed, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }), documentLoader: baselineLoader });
  const oursVerify = () => verifyCredential(signed, { documentLoader, knownContexts });
  if (!(await oursVerify()).verified || !(await baselineVerify()).verified) throw new Error('bench credential does not verify');

  // Interleaved rounds, median per side: a GC pause or a neighbour's burst then hits both sides alike.
  const rounds = 5;
  const sample = async (fn: () => Promise<unknown>, into: number[]) => into.push(await rate(fn, seconds / rounds));
  const runs = { baseIssue: [] as number[], ourIssue: [] as number[], baseVerify: [] as number[], ourVerify: [] as number[], baseNew: [] as number[], ourNew: [] as number[] };
  for (let i = 0; i < rounds; i += 1) {
    await sample(baselineIssue, runs.baseIssue);
    await sample(oursIssue, runs.ourIssue);
    await sample(baselineVerify, runs.baseVerify);
    await sample(oursVerify, runs.ourVerify);
    await sample(baselineIssueNew, runs.baseNew);
    await sample(oursIssueNew, runs.ourNew);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const baseIssue = median(runs.baseIssue);
  const ourIssue = median(runs.ourIssue);
  const baseVerify = median(runs.baseVerify);
  const ourVerify = median(runs.ourVerify);
  const baseNew = median(runs.baseNew);
  const ourNew = median(runs.ourNew);
  return {
    'credentials.issue_per_s': ourIssue,
    'credentials.issue_per_s_baseline': baseIssue,
    'credentials.issue_ratio': ourIssue / baseIssue,
    'credentials.verify_per_s': ourVerify,
    'credentials.verify_per_s_baseline': baseVerify,
    'credentials.verify_ratio': ourVerify / baseVerify,
    'credentials.issue_new_achievement_per_s': ourNew,
    'credentials.issue_new_achievement_per_s_baseline': baseNew,
    'credentials.issue_new_achievement_ratio': ourNew / baseNew,
  };
}
