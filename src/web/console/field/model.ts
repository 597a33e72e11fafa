import type { AssessmentMethod, EvidenceQuality, UnitAssessmentView } from '../../../rpl/assessment.js';
import type { AuditEntry } from '../../../rpl/audit.js';
import type { CandidateView } from '../../../rpl/candidates.js';
import type { CaseView } from '../../../rpl/case-repository.js';
import type { EvidenceKind, EvidenceView } from '../../../rpl/evidence.js';
import type { SelfAssessmentItem } from '../../../rpl/self-assessment.js';
import type { CaseState, TRANSITIONS } from '../../../rpl/transitions.js';
import type { Qualification } from '../../../frameworks/types.js';

/*
 * The shapes the field screens read from the API (types only: the server's modules stay out of the bundle) and the
 * lists the forms offer. The lists are copies of the server's (src/rpl), which the browser bundle may not import;
 * tests/web/console-field-lists.test.ts keeps them equal.
 */
export type { AssessmentMethod, AuditEntry, CandidateView, CaseState, CaseView, EvidenceKind, EvidenceQuality, EvidenceView, Qualification, SelfAssessmentItem, UnitAssessmentView };

export const ASSESSMENT_METHODS = ['portfolio_review', 'observation', 'practical_demonstration', 'interview', 'written_test'] as const satisfies readonly AssessmentMethod[];
export const EVIDENCE_KINDS = [
  'employer_testimonial',
  'certificate_of_employment',
  'employment_contract',
  'pay_slip',
  'training_certificate',
  'language_certificate',
  'work_photo',
  'work_video',
  'reference_letter',
  'demonstration_record',
  'interview_record',
] as const satisfies readonly EvidenceKind[];
export const CASE_STATES = [
  'draft',
  'submitted',
  'screening',
  'assessment',
  'decided',
  'moderated',
  'certified',
  'not_yet_competent',
  'appealed',
  'reassessment',
  'withdrawn',
  'rejected_ineligible',
] as const satisfies readonly CaseState[];
export const QUALITY_RULES = ['valid', 'authentic', 'current', 'sufficient'] as const satisfies ReadonlyArray<keyof EvidenceQuality>;

/**
 * The preconditions of the workflow's `decide` (src/rpl/transitions.ts), as the device can tell them from a copy of
 * the case: keyed by the server's list, so a precondition added to decide there does not compile here until the
 * device checks it too. `decided`: the units of this round with a decision.
 */
type DecidePrecondition = (typeof TRANSITIONS)['decide']['requires'][number];
const DECIDE_CHECKS: { [P in DecidePrecondition]: (units: Qualification['units'], decided: ReadonlySet<string>) => boolean } = {
  all_core_units_decided: (units, decided) => units.filter((u) => u.kind === 'core').every((u) => decided.has(u.unitId)),
};
export const decidePreconditionsMet = (units: Qualification['units'], decided: ReadonlySet<string>): boolean =>
  Object.values(DECIDE_CHECKS).every((check) => check(units, decided));

/** States in which unit decisions are recorded (src/rpl/assessment.ts). */
export const ASSESSING = new Set<string>(['assessment', 'reassessment']);

/** One unit's judgement as the form and the offline events hold it. */
export interface UnitDecisionInput {
  unitId: string;
  methods: AssessmentMethod[];
  /** Server evidence ids, or `local:<event id>` for a photo taken on this device and not yet uploaded. */
  evidenceIds: string[];
  quality: EvidenceQuality;
  decision: 'competent' | 'not_yet_competent';
  notes: string | null;
}

/** Everything a case screen shows, as one object: what the offline package keeps per case. */
export interface CaseBundle {
  kase: CaseView;
  candidate: CandidateView | null;
  selfAssessment: SelfAssessmentItem[];
  evidence: EvidenceView[];
  qualification: Qualification | null;
  assessments: UnitAssessmentView[];
  history: AuditEntry[];
  savedAt: string;
  /** The offline day this copy came in (absent from the server's live view and from copies kept before it was kept). */
  packageId?: string;
}

/** A qualification's title in the console's language, else English, else any. */
export const titleOf = (titles: Record<string, string> | undefined, lang: string): string => (titles ? (titles[lang] ?? titles.en ?? Object.values(titles)[0] ?? '') : '');

/** The case id as people read it out: its first eight characters. */
export const shortId = (id: string): string => id.slice(0, 8);
