/** Column types of the status module's tables (migration 0004-status). */
export interface StatusListsTable {
  /** Short random id: the list URL is `<publicUrl>/status/<id>`, printed inside every QR code that uses it. */
  id: string;
  issuer_id: string;
  /** The DID the list is published under; a did:key body gets new lists after a key rotation changes its DID. */
  issuer_did: string;
  purpose: 'revocation';
  /** `award`: entries of registry awards only (migration 0009); `general`: credentials signed through the VC API. */
  kind: StatusListKind;
  length: number;
  /** The signed BitstringStatusListCredential as JSON text, regenerated on every change and before it goes stale. */
  credential: string;
  etag: string;
  valid_until: string;
  /** Set when no free index is left; open lists (null) are unique per issuer, DID, purpose and kind. */
  filled_at: string | null;
  /** Bumped by every regeneration; the update also takes the row lock that serialises regenerations (PostgreSQL). */
  version: number;
  created_at: string;
  updated_at: string;
}

export type StatusListKind = 'award' | 'general';

export interface StatusEntriesTable {
  list_id: string;
  idx: number;
  credential_id: string;
  created_at: string;
}

export type RevocationReason = 'fraud' | 'error' | 'superseded' | 'other';

/** The audit of revocations: who, when and why. A row is never updated or deleted (revocation is final). */
export interface RevocationsTable {
  credential_id: string;
  reason: RevocationReason;
  note: string | null;
  /** A user id for the API, `cli:<os user>` for the command line. */
  revoked_by: string;
  revoked_at: string;
}

/** Why a credential was re-issued: its content was corrected, its validity renewed, or its signing key compromised. */
export type ReissueKind = 'correction' | 'renewal' | 'key_compromise';

/** Re-issue: `replaced_id` was revoked as superseded by `replacement_id`. */
export interface CredentialLinksTable {
  replaced_id: string;
  replacement_id: string;
  kind: ReissueKind;
  created_by: string;
  created_at: string;
}

export interface StatusTables {
  status_lists: StatusListsTable;
  status_entries: StatusEntriesTable;
  revocations: RevocationsTable;
  credential_links: CredentialLinksTable;
}
