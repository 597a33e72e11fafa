import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { createCachedSigner, type Signer } from '../../src/keys/signer.js';
import type { Actor } from '../../src/policy/policy.js';
import type { TestContext } from './app.js';
import { buildCredential } from '../../src/credentials/build.js';

/**
 * A small OB 3.0 credential of the test body that claims nothing of the registry's catalogue, as any VC API client
 * may have signed (registry awards come only from certifying a case).
 */
export const badge = (did: string, overrides: { validFrom?: string; validUntil?: string; name?: string } = {}) =>
  buildCredential({
    issuer: { did, name: 'Test Certifying Body' },
    holder: { name: overrides.name ?? 'Siti Rahayu' },
    achievement: {
      id: 'https://training.example/badges/forklift-safety',
      kind: 'statement_of_attainment',
      name: 'Forklift safety awareness',
      description: 'Completed the warehouse safety course.',
      criteria: 'Attended and passed the course quiz.',
      humanCode: 'FLS-1',
      alignment: [{ type: ['Alignment'], targetName: 'Operate a forklift safely', targetUrl: 'https://training.example/units/FLS-101' }],
    },
    validFrom: overrides.validFrom ?? '2026-01-01T00:00:00Z',
    ...(overrides.validUntil ? { validUntil: overrides.validUntil } : {}),
  });

/** A certifying officer of the test body, as the policy sees them (awards are issued and revoked as one). */
export async function officerOf(t: { login: TestContext['login']; issuer: { id: string } }): Promise<Actor> {
  const { userId } = await t.login('certifying_officer');
  return { id: userId, role: 'certifying_officer', issuerId: t.issuer.id };
}

/** A fresh did:key and a signer for it: an issuer outside any registry, for tests that sign by hand. */
export async function newDidKey(): Promise<{ did: string; signer: Signer }> {
  const pair = await Ed25519Multikey.generate();
  const e = await pair.export({ publicKey: true, secretKey: true, includeContext: false });
  const did = `did:key:${e.publicKeyMultibase}`;
  return { did, signer: await createCachedSigner(`${did}#${e.publicKeyMultibase}`, e.secretKeyMultibase!, e.publicKeyMultibase) };
}
