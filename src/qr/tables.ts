/** Rows of `qr_type_tables`: one immutable CBOR-LD type table per registry entry id (see type-table.ts). */
export interface QrTypeTablesTable {
  registry_entry_id: number;
  qualification_id: string;
  /** The normalized TypeTableSource as JSON text, written once and never updated. */
  source_json: string;
  created_at: string;
}

export interface QrTables {
  qr_type_tables: QrTypeTablesTable;
}
