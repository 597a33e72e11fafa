import type { AwardRule, UnitKind } from '../frameworks/types.js';

export type UnitDecision = 'competent' | 'not_yet_competent';
export type CaseOutcome = 'full_qualification' | 'statement_of_attainment' | 'not_yet_competent';

/**
 * What a set of unit decisions earns (pure): the full qualification when every core unit and the rule's number of
 * electives are Competent (TESDA's NC, PPT's full certification), otherwise a statement of attainment for the
 * Competent units (TESDA's COC, modular certification), otherwise nothing yet.
 */
export function computeOutcome(
  units: ReadonlyArray<{ unitId: string; kind: UnitKind }>,
  rule: AwardRule,
  decisions: ReadonlyMap<string, UnitDecision>,
): { outcome: CaseOutcome; competentUnitIds: string[] } {
  const competentUnitIds = units.filter((u) => decisions.get(u.unitId) === 'competent').map((u) => u.unitId);
  const coreDone = units.filter((u) => u.kind === 'core').every((u) => decisions.get(u.unitId) === 'competent');
  const electives = units.filter((u) => u.kind === 'elective' && decisions.get(u.unitId) === 'competent').length;
  const outcome: CaseOutcome =
    coreDone && electives >= rule.electives ? 'full_qualification' : competentUnitIds.length ? 'statement_of_attainment' : 'not_yet_competent';
  return { outcome, competentUnitIds };
}
