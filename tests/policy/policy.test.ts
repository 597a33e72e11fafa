import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/db/schema.js';
import { ACTIONS, authorize, decide, OPERATOR, type Action, type Actor, type Context, type Resource, type ResourceKind } from '../../src/policy/policy.js';

/*
 * The policy alone (no database): every resource kind × every action × every kind of caller, against expectations
 * written out by hand. Body A holds the resources; the returnee "own" is theirs; A's assessor is the assigned one.
 */

type Staff = Exclude<Role, 'candidate'>;
const STAFF: Staff[] = ['admin', 'certifying_officer', 'assessor', 'moderator', 'counsellor'];
type Who = string;

const CALLERS: Record<Who, { actor: Actor; context?: Context }> = {
  'candidate:own': { actor: { id: 'u-own', role: 'candidate', issuerId: null } },
  'candidate:other': { actor: { id: 'u-other', role: 'candidate', issuerId: null } },
  operator: { actor: OPERATOR },
  'admin+reason': { actor: { id: 'admin-r', role: 'admin', issuerId: null }, context: { reason: 'complaint 113' } },
  'assessor@A-unassigned': { actor: { id: 'assessor-A2', role: 'assessor', issuerId: 'A' } },
  ...Object.fromEntries(
    STAFF.flatMap((role) => (['A', 'B', 'none'] as const).map((b) => [`${role}@${b}`, { actor: { id: `${role}-${b}`, role, issuerId: b === 'none' ? null : b } }])),
  ),
};
const ALL = Object.keys(CALLERS);

const ADMINS = ['admin@A', 'admin@B', 'admin@none'];
const A_STAFF = ['certifying_officer@A', 'assessor@A', 'moderator@A', 'counsellor@A'];
const OUTSIDE = ['candidate:other', ...['certifying_officer', 'assessor', 'moderator', 'counsellor'].flatMap((r) => [`${r}@B`, `${r}@none`])];
/** Case-bound resources: an assessor of the body sees only what is assigned to them; the operator no returnee's data. */
const CASE_OUTSIDE = [...OUTSIDE, 'assessor@A-unassigned', 'operator'];
const RETURNEE_OUTSIDE = [...OUTSIDE, 'operator'];
/** A sync conflict of A's assessor: seen by them and A's certifying officers; the rest do not learn it exists. */
const CONFLICT_OUTSIDE = [...OUTSIDE, 'candidate:own', 'operator', 'assessor@A-unassigned', 'moderator@A', 'counsellor@A'];

interface Expect {
  ok: Who[];
  hidden?: Who[];
  reason?: Who[];
}
const caseRead: Expect = { ok: ['candidate:own', ...A_STAFF, 'admin+reason'], hidden: CASE_OUTSIDE, reason: ADMINS };
const caseChange = (...ok: Who[]): Expect => ({ ok, hidden: CASE_OUTSIDE });
const adminsOnly: Expect = { ok: [...ADMINS, 'admin+reason', 'operator'] };
const officerOfA: Expect = { ok: ['certifying_officer@A'] };

const facts = { issuerId: 'A', assessorId: 'assessor-A', candidateUserId: 'u-own' };
const TABLE: Array<{ name: string; resource: Resource; actions: Record<string, Expect> }> = [
  {
    name: 'a returnee registered by A',
    resource: { kind: 'candidate', userId: 'u-own', bodies: ['A'] },
    actions: {
      read: { ok: ['candidate:own', ...A_STAFF, 'assessor@A-unassigned', 'admin+reason'], hidden: RETURNEE_OUTSIDE, reason: ADMINS },
      update: { ok: ['candidate:own', 'counsellor@A'], hidden: RETURNEE_OUTSIDE },
      change_contact: { ok: ['candidate:own', 'counsellor@A'], hidden: RETURNEE_OUTSIDE },
      withdraw_consent: { ok: ['candidate:own', 'counsellor@A'], hidden: RETURNEE_OUTSIDE },
      statistics_consent: { ok: ['candidate:own'], hidden: RETURNEE_OUTSIDE },
      export: { ok: ['candidate:own', 'counsellor@A', 'admin+reason'], hidden: RETURNEE_OUTSIDE, reason: ADMINS },
      erase: { ok: ['candidate:own', 'admin+reason'], hidden: RETURNEE_OUTSIDE, reason: ADMINS },
    },
  },
  {
    name: 'a returnee of B with a case at A',
    resource: { kind: 'candidate', userId: 'u-own', bodies: ['B', 'A'] },
    actions: { read: { ok: ['candidate:own', ...A_STAFF, 'assessor@A-unassigned', ...['certifying_officer', 'assessor', 'moderator', 'counsellor'].map((r) => `${r}@B`), 'admin+reason'], hidden: [...OUTSIDE.filter((w) => !w.endsWith('@B')), 'operator'], reason: ADMINS } },
  },
  { name: 'registering a returnee at A', resource: { kind: 'candidate_registry', issuerId: 'A' }, actions: { create: { ok: ['counsellor@A'] } } },
  {
    // Importing is the assessor's; certifying in a batch (each case still through transition:certify) and following a
    // batch is the body's certifying officers', and another body's officer is told nothing exists.
    name: 'a cohort of A',
    resource: { kind: 'cohort', issuerId: 'A' },
    actions: { import: { ok: ['assessor@A', 'assessor@A-unassigned'] }, certify: { ok: ['certifying_officer@A'], hidden: ['certifying_officer@B'] }, read: { ok: ['certifying_officer@A'], hidden: ['certifying_officer@B'] } },
  },
  {
    name: 'a case at A',
    resource: { kind: 'case', ...facts },
    actions: {
      read: caseRead,
      history: caseRead,
      self_assess: caseChange('candidate:own', 'counsellor@A'),
      transition: caseChange(),
      'transition:submit': caseChange('candidate:own', 'counsellor@A'),
      'transition:accept': caseChange('counsellor@A'),
      'transition:decide': caseChange('assessor@A'),
      'transition:confirm': caseChange('moderator@A'),
      'transition:certify': caseChange('certifying_officer@A'),
      'transition:assign_reassessor': caseChange('certifying_officer@A'),
      'transition:appeal': caseChange('candidate:own'),
    },
  },
  { name: 'opening a case at A for a returnee of A', resource: { kind: 'case_opening', issuerId: 'A', candidateUserId: 'u-own', candidateBodies: ['A'] }, actions: { create: { ok: ['candidate:own', 'counsellor@A'], hidden: ['candidate:other'] } } },
  { name: 'opening a case at A for a returnee of B only', resource: { kind: 'case_opening', issuerId: 'A', candidateUserId: 'u-own', candidateBodies: ['B'] }, actions: { create: { ok: ['candidate:own'], hidden: ['candidate:other', 'counsellor@A'] } } },
  { name: 'evidence of a case at A', resource: { kind: 'evidence', ...facts }, actions: { read: caseRead, upload: caseChange('candidate:own', 'counsellor@A', 'assessor@A') } },
  { name: 'unit assessments of a case at A', resource: { kind: 'assessment', ...facts }, actions: { read: caseRead, record: caseChange('assessor@A') } },
  {
    name: 'a credential A issued to the returnee',
    resource: { kind: 'credential', issuerId: 'A', holderUserId: 'u-own' },
    actions: {
      read: { ok: ['candidate:own', ...A_STAFF, 'assessor@A-unassigned', 'admin+reason'], hidden: RETURNEE_OUTSIDE, reason: ADMINS },
      print: { ok: ['candidate:own', ...A_STAFF, 'assessor@A-unassigned', 'admin+reason'], hidden: RETURNEE_OUTSIDE, reason: ADMINS },
      history: { ok: ['candidate:own', ...A_STAFF, 'assessor@A-unassigned', 'admin+reason'], hidden: RETURNEE_OUTSIDE, reason: ADMINS },
      revoke: { ok: ['certifying_officer@A'], hidden: RETURNEE_OUTSIDE },
      reissue: { ok: ['certifying_officer@A'], hidden: RETURNEE_OUTSIDE },
      offer_to_wallet: { ok: ['candidate:own'], hidden: RETURNEE_OUTSIDE },
    },
  },
  { name: 'signing through the VC API as A', resource: { kind: 'issuance', issuerId: 'A' }, actions: { issue: officerOfA } },
  { name: 'a status entry of A', resource: { kind: 'status_entry', issuerId: 'A' }, actions: { update: officerOfA } },
  { name: 'an award of A', resource: { kind: 'award', issuerId: 'A' }, actions: { issue: officerOfA } },
  { name: 'the audit entries of A', resource: { kind: 'audit', issuerId: 'A' }, actions: { read: { ok: [...adminsOnly.ok, ...A_STAFF, 'assessor@A-unassigned'] }, verify_chain: adminsOnly } },
  { name: 'the whole audit chain', resource: { kind: 'audit', issuerId: null }, actions: { read: adminsOnly, verify_chain: adminsOnly } },
  { name: 'the statistics of A', resource: { kind: 'statistics', issuerId: 'A' }, actions: { read: { ok: [...ADMINS, 'admin+reason', 'certifying_officer@A', 'moderator@A', 'counsellor@A'] } } },
  { name: 'the statistics of every body', resource: { kind: 'statistics', issuerId: null }, actions: { read: { ok: [...ADMINS, 'admin+reason'] } } },
  { name: 'the registry', resource: { kind: 'registry' }, actions: { read: { ok: ALL }, manage: adminsOnly } },
  { name: 'body A', resource: { kind: 'body', issuerId: 'A' }, actions: { read: { ok: ALL }, rotate_key: adminsOnly, compromise_key: adminsOnly, manage_profile: { ok: [...adminsOnly.ok, 'certifying_officer@A'] } } },
  { name: 'staff accounts', resource: { kind: 'account', issuerId: 'A' }, actions: { create: adminsOnly, read: adminsOnly, manage: adminsOnly, read_assessors: { ok: [...adminsOnly.ok, 'certifying_officer@A', 'counsellor@A'] } } },
  { name: 'deployment tasks', resource: { kind: 'deployment' }, actions: { run: adminsOnly, read_metrics: adminsOnly } },
  {
    name: 'the API tokens of A\'s certifying officer',
    resource: { kind: 'api_token', ownerId: 'certifying_officer-A' },
    actions: Object.fromEntries(['read', 'create', 'revoke'].map((a) => [a, { ok: [...adminsOnly.ok, 'certifying_officer@A'], hidden: ALL.filter((w) => !w.startsWith('candidate:') && !w.startsWith('admin') && w !== 'operator' && w !== 'certifying_officer@A') }])),
  },
  {
    name: 'a returnee\'s API tokens (returnees have none)',
    resource: { kind: 'api_token', ownerId: 'u-own' },
    actions: { read: { ...adminsOnly, hidden: ALL.filter((w) => !w.startsWith('candidate:') && !w.startsWith('admin') && w !== 'operator') }, create: { ...adminsOnly, hidden: ALL.filter((w) => !w.startsWith('candidate:') && !w.startsWith('admin') && w !== 'operator') } },
  },
  { name: 'every account\'s API tokens', resource: { kind: 'api_token', ownerId: null }, actions: { read: adminsOnly, revoke: adminsOnly } },
  // Staff and admins never see a returnee's share links or their /me space, with or without a reason.
  { name: 'a share link of the returnee', resource: { kind: 'share_link', ownerUserId: 'u-own' }, actions: { create: { ok: ['candidate:own'], hidden: ['candidate:other'] }, read: { ok: ['candidate:own'], hidden: ['candidate:other'] }, revoke: { ok: ['candidate:own'], hidden: ['candidate:other'] } } },
  { name: 'the returnee space of the returnee', resource: { kind: 'returnee_space', userId: 'u-own' }, actions: { use: { ok: ['candidate:own'], hidden: ['candidate:other'] } } },
  // The day as such is any assessor's of the body; each of its cases is then asked about as `assessment:record`.
  { name: 'an offline assessment day at A', resource: { kind: 'offline_day', issuerId: 'A', ownerId: null }, actions: { create: { ok: ['assessor@A', 'assessor@A-unassigned'] }, sync: { ok: ['assessor@A', 'assessor@A-unassigned'] } } },
  // A stored day a sync names (its package): its maker's alone; nobody else learns it exists, an admin neither.
  { name: 'the offline day A\'s assessor made', resource: { kind: 'offline_day', issuerId: 'A', ownerId: 'assessor-A' }, actions: { sync: { ok: ['assessor@A'], hidden: ALL.filter((w) => w !== 'assessor@A') } } },
  {
    name: 'a sync conflict of A\'s assessor',
    resource: { kind: 'sync_conflict', issuerId: 'A', ownerId: 'assessor-A' },
    actions: {
      read: { ok: ['assessor@A', 'certifying_officer@A', 'admin+reason'], hidden: CONFLICT_OUTSIDE, reason: ADMINS },
      discard: { ok: ['assessor@A', 'certifying_officer@A'], hidden: CONFLICT_OUTSIDE },
      apply: { ok: ['assessor@A'], hidden: CONFLICT_OUTSIDE },
    },
  },
  {
    name: 'the sync conflicts of A (the list)',
    resource: { kind: 'sync_conflict', issuerId: 'A', ownerId: null },
    actions: { read: { ok: ['assessor@A', 'assessor@A-unassigned', 'certifying_officer@A', 'admin+reason'], reason: ADMINS }, apply: { ok: [] }, discard: { ok: [] } },
  },
];

function expected(e: Expect, who: Who): 'allowed' | 'not_found' | 'reason_required' | 'forbidden' {
  if (e.ok.includes(who)) return 'allowed';
  if (e.hidden?.includes(who)) return 'not_found';
  if (e.reason?.includes(who)) return 'reason_required';
  return 'forbidden';
}

describe('decide: every resource kind × action × caller', () => {
  it('the table covers every action of every resource kind', () => {
    for (const [kind, actions] of Object.entries(ACTIONS) as Array<[ResourceKind, readonly string[]]>) {
      const covered = new Set(TABLE.filter((r) => r.resource.kind === kind).flatMap((r) => Object.keys(r.actions).map((a) => a.split(':')[0])));
      expect([kind, [...actions].filter((a) => !covered.has(a))]).toEqual([kind, []]);
    }
  });

  for (const row of TABLE) {
    it(row.name, () => {
      const got: string[] = [];
      const want: string[] = [];
      for (const [action, e] of Object.entries(row.actions)) {
        for (const who of ALL) {
          const { actor, context } = CALLERS[who]!;
          const d = decide(actor, action as Action, row.resource, context);
          got.push(`${action} by ${who}: ${d.allowed ? 'allowed' : d.code}`);
          want.push(`${action} by ${who}: ${expected(e, who)}`);
        }
        expect(decide(null, action as Action, row.resource).allowed ? 'allowed' : 'refused').toBe('refused');
      }
      expect(got).toEqual(want);
    });
  }

  it('nobody signed in is asked to sign in, whatever the resource', () => {
    for (const row of TABLE) for (const action of Object.keys(row.actions)) expect(decide(null, action as Action, row.resource)).toMatchObject({ allowed: false, code: 'unauthenticated' });
  });

  it('an action a kind does not have is refused, not allowed by a fall-through', () => {
    expect(decide(CALLERS['certifying_officer@A']!.actor, 'revoke' as Action, { kind: 'case', ...facts })).toMatchObject({ allowed: false, code: 'forbidden' });
    expect(decide(CALLERS['moderator@A']!.actor, 'transition:no_such_event', { kind: 'case', ...facts })).toMatchObject({ allowed: false, code: 'forbidden' });
  });

  it('an admin\'s read with a reason comes back marked for the audit; a blank reason is no reason', () => {
    const admin = CALLERS['admin@none']!.actor;
    expect(authorize(admin, 'read', { kind: 'case', ...facts }, { reason: '  complaint 113 ' })).toEqual({ allowed: true, auditedReason: 'complaint 113' });
    expect(decide(admin, 'read', { kind: 'case', ...facts }, { reason: '   ' })).toMatchObject({ allowed: false, code: 'reason_required' });
    expect(() => authorize(admin, 'export', { kind: 'candidate', userId: 'u-own', bodies: ['A'] })).toThrow(expect.objectContaining({ code: 'reason_required', statusCode: 403 }));
  });
});
