/** Tables of the console's offline assessment day (migration 0025). */
export interface OfflinePackagesTable {
  id: string;
  actor_id: string;
  issuer_id: string;
  case_count: number;
  created_at: string;
}

export interface OfflinePackageCasesTable {
  package_id: string;
  case_id: string;
  actor_id: string;
  /** The case version the device works from. */
  version: number;
  round: number;
  /** JSON Record<unitId, signature>: each unit's judgement of this round when the package was made. */
  units: string;
  created_at: string;
}

export interface ConsoleSyncEventsTable {
  actor_id: string;
  /** The id the device gave the event. */
  event_id: string;
  case_id: string;
  unit_id: string;
  round: number | null;
  /** SHA-256 of the event in canonical JSON: the same id with another body is refused. */
  fingerprint: string;
  status: 'applied' | 'conflict';
  conflict_id: string | null;
  reason: string | null;
  /** Applied: the signature of the unit row it wrote (the device's own baseline for its next event on that unit). */
  written: string | null;
  /** The offline day the event named (migration 0026); null when it named none. */
  package_id: string | null;
  created_at: string;
}

export interface SyncConflictsTable {
  id: string;
  /** Whose device sent the event. */
  actor_id: string;
  issuer_id: string;
  case_id: string;
  event_id: string;
  /** JSON of the event as the device sent it. */
  event: string;
  reason: string;
  /** JSON of what the server had for the case and unit when the event arrived. */
  server_view: string;
  created_at: string;
  resolved_at: string | null;
  resolution: 'applied' | 'discarded' | null;
  resolution_note: string | null;
  resolved_by: string | null;
}

export interface ConsoleTables {
  offline_packages: OfflinePackagesTable;
  offline_package_cases: OfflinePackageCasesTable;
  console_sync_events: ConsoleSyncEventsTable;
  sync_conflicts: SyncConflictsTable;
}
