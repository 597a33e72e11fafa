export interface AwardsTable {
  credential_id: string;
  qualification_id: string;
  kind: 'full_qualification' | 'statement_of_attainment';
  /** JSON array of unit catalogue ids (URLs) achieved. */
  unit_ids: string;
  assessment_centre: string | null;
  assessment_country: string | null;
  assessment_date: string | null;
  print_lang: string | null;
  registry_entry_id: number;
  verify_code: string;
  created_at: string;
}

export interface AwardTables {
  awards: AwardsTable;
}
