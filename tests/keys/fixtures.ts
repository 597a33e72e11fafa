import { officerOf } from '../helpers/credentials.js';
import type { SignedCredential } from '../../src/credentials/sign.js';
import { bundledContexts } from '../../src/jsonld/index.js';
import { openTrustBundle } from '../../src/trust/open.js';
import { verifyCredentialDocument } from '../../src/verifier/pipeline.js';
import type { Verdict } from '../../src/verifier/verdict.js';
import { createVerifierData, type VerifierData } from '../../src/verifier/verifier-data.js';
import type { TestContext } from '../helpers/app.js';
import { HOUSEKEEPING, HOUSEKEEPING_UNITS } from '../rpl/fixtures.js';

export type CheckLine = { id: string; status: string; code?: string };

/** A catalogue award of the test body (registry seeded by rplFixture), optionally held by a returnee's account. */
export async function award(t: TestContext, holderUserId: string | null = null, name = 'Rosalinda Bautista'): Promise<SignedCredential> {
  const issued = await t.services.rpl.issueAward(await officerOf(t), { issuerId: t.issuer.id, qualificationId: HOUSEKEEPING, achievedUnitIds: HOUSEKEEPING_UNITS, holder: { name }, holderUserId });
  return issued.credential;
}

/** POST /credentials/verify, as any outside client. */
export async function serverVerify(t: TestContext, credential: unknown): Promise<{ statusCode: number; verified: boolean; checks: CheckLine[] }> {
  const res = await t.app.inject({ method: 'POST', url: '/credentials/verify', payload: { verifiableCredential: credential } });
  return { statusCode: res.statusCode, ...res.json() };
}

/** What an employer's offline verifier holds after downloading the instance's current trust bundle. */
export async function offlineVerifier(t: TestContext): Promise<VerifierData> {
  const { did } = (await t.app.inject({ method: 'GET', url: '/trust-bundle/authority' })).json<{ did: string }>();
  const text = (await t.app.inject({ method: 'GET', url: '/trust-bundle' })).body;
  const contexts = bundledContexts();
  return createVerifierData(await openTrustBundle(text, { authority: did, contexts }), contexts);
}

export const offlineVerify = (data: VerifierData, credential: unknown): Promise<Verdict> => verifyCredentialDocument(credential, data);

/** `id:status:code` of every check that did not pass. */
export const notPassing = (checks: readonly CheckLine[]): string[] => checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}:${c.status}:${c.code}`);
export const failing = (checks: readonly CheckLine[]): string[] => notPassing(checks).filter((c) => c.includes(':fail:'));
