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
