/**
 * Column types of the RPL tables. Booleans are integers and JSON is text, so rows read the same from SQLite and
 * PostgreSQL. Nothing here holds a national ID in clear or an evidence file's bytes.
 */

export interface SessionsTable {
  id: string;
  user_id: string;
  /** SHA-256 of the opaque session token (256 random bits, so a fast hash suffices, as for API tokens). */
  token_hash: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  /** Browser sessions end after this many minutes without a request (migration 0018); null: no idle limit. */
  idle_minutes: number | null;
  last_seen_at: string | null;
}

export interface LoginCodesTable {
  id: string;
  user_id: string;
  /** scrypt of the code with a per-row salt: a 6-digit code is guessable offline from a plain hash. */
  code_hash: string;
  salt: string;
  attempts: number;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface NotificationsTable {
  id: string;
  channel: string;
  recipient: string;
  template: string;
  subject: string;
  /** Cleared once delivered: the outbox keeps that a message went out, not what it said. */
  body: string | null;
  created_at: string;
  sent_at: string | null;
  /** Claims, including the one in progress; capped (see src/outbox/worker.ts). */
  attempts: number;
  /** A reason without personal data or secrets (an SMTP status, "no transport for sms"). */
  last_error: string | null;
  /** Not before this time (backoff after a failed attempt); null: at once. */
  available_at: string | null;
  /** The worker that claimed the message and until when; another worker may take it over only after that. */
  lease_owner: string | null;
  lease_until: string | null;
  /** Given up (attempt cap reached or expired); the body is cleared. */
  failed_at: string | null;
  /** After this the message is pointless (a one-time code that has expired). */
  expires_at: string | null;
}

/** A returnee's request for a sign-in code, looked up off the request path; deleted when processed. */
export interface SignInRequestsTable {
  /** The challenge id the returnee was given. */
  id: string;
  /** Normalised e-mail or phone as typed; may belong to nobody. */
  contact: string;
  created_at: string;
}

/** A change of a returnee's e-mail or phone, pending until the code sent to the new contact is confirmed (then deleted). */
export interface ContactChangesTable {
  id: string;
  candidate_id: string;
  field: 'email' | 'phone';
  new_value: string;
  /** scrypt of the code with a per-row salt, as for sign-in codes. */
  code_hash: string;
  salt: string;
  attempts: number;
  expires_at: string;
  requested_by: string;
  created_at: string;
}

export interface CandidatesTable {
  id: string;
  user_id: string;
  full_name: string;
  name_latin: string | null;
  email: string | null;
  phone: string | null;
  preferred_language: string | null;
  country_of_work: string | null;
  sector: string | null;
  years_experience: number | null;
  sex: string | null;
  birth_year: number | null;
  /** HMAC-SHA-256 under a per-deployment key derived from the master key; never the ID itself. */
  national_id_hash: string | null;
  consent_purpose: string | null;
  consent_at: string | null;
  consent_withdrawn_at: string | null;
  /** Opt-in consent to be counted in statistics (migration 0024); null until given. */
  statistics_consent_at: string | null;
  statistics_consent_withdrawn_at: string | null;
  created_by: string | null;
  /** The certifying body that registered the returnee (null: registered by no body, e.g. a cohort import of old). */
  registered_issuer_id: string | null;
  created_at: string;
  erased_at: string | null;
}

export interface RplCasesTable {
  id: string;
  candidate_id: string;
  qualification_id: string;
  issuer_id: string;
  state: string;
  version: number;
  /** 1 for the first assessment, 2 after an appeal sends the case to another assessor. */
  round: number;
  assessor_id: string | null;
  previous_assessor_id: string | null;
  moderator_id: string | null;
  outcome: string | null;
  decided_at: string | null;
  moderated_at: string | null;
  moderation_note: string | null;
  gap_training_note: string | null;
  appeal_reason: string | null;
  appealed_at: string | null;
  credential_id: string | null;
  cohort_ref: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface SelfAssessmentsTable {
  case_id: string;
  unit_id: string;
  rating: string;
  note: string | null;
  updated_at: string;
}

export interface EvidenceBlobsTable {
  hash: string;
  size: number;
  content_type: string;
  created_at: string;
}

export interface EvidenceItemsTable {
  id: string;
  case_id: string;
  kind: string;
  title: string;
  description: string | null;
  /** Null for a record with no file (an interview or demonstration written up by the assessor). */
  blob_hash: string | null;
  original_name: string | null;
  uploaded_by: string;
  created_at: string;
}

export interface UnitAssessmentsTable {
  case_id: string;
  round: number;
  unit_id: string;
  assessor_id: string;
  /** JSON AssessmentMethod[] */
  methods: string;
  /** JSON string[] of evidence item ids */
  evidence_ids: string;
  /** JSON {valid, authentic, current, sufficient} */
  quality: string;
  decision: string;
  notes: string | null;
  centre_id: string | null;
  country: string;
  assessed_on: string;
  updated_at: string;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor_id: string | null;
  action: string;
  case_id: string | null;
  subject_id: string | null;
  /** Canonical JSON; ids and states only, never personal data, so erasure never has to touch the chain. */
  data: string;
  prev_hash: string;
  hash: string;
}

export interface RplTables {
  sessions: SessionsTable;
  login_codes: LoginCodesTable;
  notifications: NotificationsTable;
  sign_in_requests: SignInRequestsTable;
  contact_changes: ContactChangesTable;
  candidates: CandidatesTable;
  rpl_cases: RplCasesTable;
  self_assessments: SelfAssessmentsTable;
  evidence_blobs: EvidenceBlobsTable;
  evidence_items: EvidenceItemsTable;
  unit_assessments: UnitAssessmentsTable;
  audit_log: AuditLogTable;
}
