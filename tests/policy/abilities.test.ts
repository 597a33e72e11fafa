import { describe, expect, it } from 'vitest';
import { consoleAbilities } from '../../src/policy/abilities.js';
import { can, type Actor } from '../../src/policy/policy.js';

const actor = (role: Actor['role'], issuerId: string | null = 'body-a'): Actor => ({ id: `u-${role}`, role, issuerId } as Actor);
const on = (a: Actor) => Object.entries(consoleAbilities(a)).filter(([, v]) => v).map(([k]) => k).sort();

describe('what the console offers each role (from the access policy)', () => {
  it('an assessor: cases, the assessment form and offline day, their conflicts, cohort import', () => {
    expect(on(actor('assessor'))).toEqual(['assess', 'cases', 'importCohort', 'resolveConflicts']);
  });
  it('a moderator: cases, moderation, statistics', () => {
    expect(on(actor('moderator'))).toEqual(['cases', 'moderate', 'statistics']);
  });
  it('a certifying officer: cases, certification, credentials, the body\'s conflicts, the body profile, statistics', () => {
    expect(on(actor('certifying_officer'))).toEqual(['cases', 'certify', 'manageBodyProfile', 'manageCredentials', 'resolveConflicts', 'statistics']);
  });
  it('a counsellor: cases and statistics', () => {
    expect(on(actor('counsellor'))).toEqual(['cases', 'statistics']);
  });
  it('an admin: the registry, accounts, body profiles and statistics, no case work', () => {
    expect(on(actor('admin', null))).toEqual(['manageAccounts', 'manageBodyProfile', 'manageRegistry', 'statistics']);
  });
  it('the conflict review goes to exactly the roles the policy lets resolve a conflict of their body', () => {
    const conflict = (a: Actor, ownerId: string) => ({ kind: 'sync_conflict', issuerId: a.issuerId, ownerId }) as const;
    for (const role of ['assessor', 'moderator', 'certifying_officer', 'counsellor', 'admin'] as const) {
      const a = actor(role, role === 'admin' ? null : 'body-a');
      const resolves = can(a, 'discard', conflict(a, a.id)) || can(a, 'discard', conflict(a, 'u-someone-else'));
      expect(consoleAbilities(a).resolveConflicts, role).toBe(resolves);
      expect(resolves, role).toBe(role === 'assessor' || role === 'certifying_officer');
    }
  });
  it('staff of no body and returnees: nothing', () => {
    for (const role of ['assessor', 'moderator', 'certifying_officer', 'counsellor'] as const) expect(on(actor(role, null))).toEqual([]);
    expect(on(actor('candidate', null))).toEqual([]);
  });
});
