/** Column types of the deployment's shared facts (migration 0017-deployment). */
export interface DeploymentTable {
  /** Always 'deployment': one row. */
  id: string;
  /** The URL every status list entry, did:web document and printed verify link of this deployment names. */
  public_url: string;
  recorded_at: string;
  /** `first start`, `migration 0017`, or the operator command that changed it. */
  recorded_by: string;
}

/** One fixed-window counter of a rate limit shared by every instance. */
export interface RateLimitsTable {
  key: string;
  hits: number;
  window_ends_at: string;
}

export interface DeploymentTables {
  deployment: DeploymentTable;
  rate_limits: RateLimitsTable;
}
