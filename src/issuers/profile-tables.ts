/** Rows of `issuer_profiles` (migration 0014): one per certifying body that has set its certificate profile. */
export interface IssuerProfilesTable {
  issuer_id: string;
  signatory_name: string;
  signatory_title: string;
  /** base64 of a PNG or JPEG, validated by content when stored; null when the body has none. */
  logo: string | null;
  seal: string | null;
  signature: string | null;
  updated_by: string;
  updated_at: string;
}

export interface IssuerProfileTables {
  issuer_profiles: IssuerProfilesTable;
}
