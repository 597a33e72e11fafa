import type { MeTables } from '../me/tables.js';
import type { ConsoleTables } from '../console/tables.js';
import type { Generated } from 'kysely';
import type { AwardTables } from '../awards/tables.js';
import type { DeploymentTables } from '../deployment/tables.js';
import type { IssuerProfileTables } from '../issuers/profile-tables.js';
import type { QrTables } from '../qr/tables.js';
import type { RplTables } from '../rpl/tables.js';
import type { FrameworkTables } from '../frameworks/tables.js';
import type { StatusTables } from '../status/tables.js';
import type { WalletTables } from '../wallets/tables.js';

/** Column types of the core tables; each domain module declares its own tables and they are merged below. */
export interface IssuersTable {
  id: string;
  name: string;
  country: string;
  did: string;
  did_method: 'key' | 'web';
  url: string | null;
  created_at: string;
}

export interface IssuerKeysTable {
  id: string;
  issuer_id: string;
  verification_method: string;
  public_key_multibase: string;
  private_key_encrypted: string;
  /** One current key per body signs; a retired key only verifies what it signed before `retired_at`; a compromised one verifies nothing. */
  status: 'current' | 'retired' | 'compromised';
  created_at: string;
  retired_at: string | null;
  compromised_at: string | null;
}

/** A reported key compromise (migration 0007): what replaced the key and whether its credentials were all re-issued. */
export interface KeyCompromisesTable {
  verification_method: string;
  issuer_id: string;
  /** The operator's words; shown to staff and in the audit, never to verifiers. */
  reason: string;
  replacement_method: string;
  reported_by: string;
  reported_at: string;
  completed_at: string | null;
}

export type Role = 'admin' | 'certifying_officer' | 'assessor' | 'moderator' | 'counsellor' | 'candidate';

export interface UsersTable {
  id: string;
  name: string;
  email: string | null;
  role: Role;
  issuer_id: string | null;
  password_hash: string | null;
  disabled: Generated<number>;
  created_at: string;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  token_hash: string;
  label: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** Null: made before tokens expired (migration 0016), or TANDA_TOKEN_TTL_DAYS=0. */
  expires_at: string | null;
}

export interface CredentialsTable {
  id: string;
  issuer_id: string;
  issued_by: string | null;
  qualification_id: string | null;
  case_id: string | null;
  /** The candidate account that may read it, when the credential came from an RPL case. */
  holder_user_id: string | null;
  holder_name: string | null;
  /** The signed credential as JSON text, exactly as issued. */
  document: string;
  valid_from: string | null;
  valid_until: string | null;
  created_at: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface CoreTables {
  issuers: IssuersTable;
  issuer_keys: IssuerKeysTable;
  key_compromises: KeyCompromisesTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  credentials: CredentialsTable;
  meta: MetaTable;
}

/** `Idempotency-Key` requests per caller (see src/idempotency/store.ts). */
export interface IdempotencyKeysTable {
  caller_id: string;
  idempotency_key: string;
  /** SHA-256 of method, route and body: the same key with another request is refused. */
  fingerprint: string;
  state: 'in_flight' | 'done';
  /** Fencing id of the attempt holding the key: only it may complete it. */
  attempt: string;
  /** An attempt in flight past this (its process died) may be taken over. */
  lease_until: string;
  status_code: number | null;
  response: string | null;
  created_at: string;
  expires_at: string;
}

/** Which line of which cohort file made which case (src/rpl/cohort-import.ts). */
export interface CohortImportRowsTable {
  file_sha256: string;
  line: number;
  case_id: string;
  created_at: string;
}

/** One imported case per candidate, qualification and assessment day. */
export interface CohortCaseKeysTable {
  candidate_id: string;
  qualification_id: string;
  assessed_on: string;
  case_id: string;
}

/** A certifying officer's request to certify a set of cases (src/rpl/certification-batch.ts). */
export interface CertificationBatchesTable {
  id: string;
  issuer_id: string;
  /** The officer who asked: every item is certified as them. */
  requested_by: string;
  state: 'running' | 'completed';
  /** How the cases were chosen (JSON): explicit ids, or a qualification and cohort. */
  selection: string;
  total: number;
  created_at: string;
  completed_at: string | null;
}

/** One case of a batch: pending, done (with its credential) or failed (with the error code). */
export interface CertificationBatchItemsTable {
  batch_id: string;
  position: number;
  case_id: string;
  state: 'pending' | 'done' | 'failed';
  credential_id: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  lease_owner: string | null;
  lease_until: string | null;
  updated_at: string;
}

export interface JobTables {
  idempotency_keys: IdempotencyKeysTable;
  cohort_import_rows: CohortImportRowsTable;
  cohort_case_keys: CohortCaseKeysTable;
  certification_batches: CertificationBatchesTable;
  certification_batch_items: CertificationBatchItemsTable;
}

// Domain modules add their tables by extending this interface (one `extends` entry each).
export interface Database extends CoreTables, FrameworkTables, QrTables, StatusTables, AwardTables, RplTables, IssuerProfileTables, JobTables, WalletTables, DeploymentTables, MeTables, ConsoleTables {}
