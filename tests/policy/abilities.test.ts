import { describe, expect, it } from 'vitest';
import { consoleAbilities } from '../../src/policy/abilities.js';
import type { Actor } from '../../src/policy/policy.js';

const actor = (role: Actor['role'], issuerId: string | null = 'body-a'): Actor => ({ id: `u-${role}`, role, issuerId } as Actor);
const on = (a: Actor) => Object.entries(consoleAbilities(a)).filter(([, v]) => v).map(([k]) => k).sort();

describe('what the console offers each role (from the access policy)', () => {
  it('an assessor: cases, the assessment form and offline day, cohort import', () => {
    expect(on(actor('assessor'))).toEqual(['assess', 'cases', 'importCohort']);
  });
  it('a moderator: cases, moderation, statistics', () => {
    expect(on(actor('moderator'))).toEqual(['cases', 'moderate', 'statistics']);
  });
  it('a certifying officer: cases, certification, credentials, the body profile, statistics', () => {
    expect(on(actor('certifying_officer'))).toEqual(['cases', 'certify', 'manageBodyProfile', 'manageCredentials', 'statistics']);
  });
  it('a counsellor: cases and statistics', () => {
    expect(on(actor('counsellor'))).toEqual(['cases', 'statistics']);
  });
  it('an admin: the registry, accounts, body profiles and statistics, no case work', () => {
    expect(on(actor('admin', null))).toEqual(['manageAccounts', 'manageBodyProfile', 'manageRegistry', 'statistics']);
  });
  it('staff of no body and returnees: nothing', () => {
    for (const role of ['assessor', 'moderator', 'certifying_officer', 'counsellor'] as const) expect(on(actor(role, null))).toEqual([]);
    expect(on(actor('candidate', null))).toEqual([]);
  });
});
