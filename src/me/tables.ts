/** Column types of the returnee space's tables (migration 0018). */
export interface ShareLinksTable {
  id: string;
  user_id: string;
  token_hash: string;
  label: string | null;
  /** Chosen by the returnee; independent of the validity of the credentials the link holds. */
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
}

export interface ShareLinkCredentialsTable {
  link_id: string;
  credential_id: string;
  position: number;
}

export interface ShareLinkOpensTable {
  id: string;
  link_id: string;
  opened_at: string;
}

/** A resumable evidence upload: bytes go to a part file under the data folder until `received` reaches `size`. */
export interface UploadSessionsTable {
  id: string;
  user_id: string;
  case_id: string;
  kind: string;
  title: string;
  file_name: string;
  size: number;
  received: number;
  expires_at: string;
  created_at: string;
}

export interface MeTables {
  share_links: ShareLinksTable;
  share_link_credentials: ShareLinkCredentialsTable;
  share_link_opens: ShareLinkOpensTable;
  upload_sessions: UploadSessionsTable;
}
