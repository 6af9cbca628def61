/** The records of `tokometer reconcile` as the store takes and gives them (no imports, so the Store facade can name them). */

/**
 * Which calls to read: those of the named providers (tokometer provider names; several
 * when they bill one organization, summed per day × model), with `since <= ts < until` (ms).
 */
export interface MeteredUsageQuery {
  providers: readonly string[];
  since: number;
  until: number;
}

/**
 * What the meter recorded for the queried providers, per UTC day × model: the side of
 * `tokometer reconcile` that tokometer itself saw. Token counts follow the Usage
 * inclusion rules (input includes cache reads and writes); money is integer nano-USD.
 */
export interface MeteredUsageRow {
  /** Start of the UTC day, ms since the epoch. */
  day: number;
  /** Model as answered, else as requested; '(unknown)' when neither is known. */
  model: string;
  /** Calls that reached the provider with metered usage (usage_source ≠ not_metered). */
  calls: number;
  /** Of those, calls whose usage is unknown (the body did not parse): no tokens, no cost. */
  usageUnknown: number;
  /** Of those, calls with usage but no price (cost NULL). */
  unpriced: number;
  inputTokens: number;
  cachedInputTokens: number;
  cacheWrite5mTokens: number;
  cacheWrite1hTokens: number;
  outputTokens: number;
  /** Σ cost of the priced calls (their per-search fees included). */
  costNano: number;
  /** Σ web searches billed per use (calls.web_searches); their fees are in costNano. */
  webSearches: number;
  /**
   * Of those, the searches of calls that ran them on OpenAI's web_search_preview tool
   * (calls.web_search_preview), priced at its own fee (pricing/web-search-fees.ts). Absent: none.
   */
  previewWebSearches?: number;
  /** Σ file search tool calls billed per use (calls.file_searches); their fees are in costNano. */
  fileSearches: number;
}

/**
 * The outcome of one `tokometer reconcile` run (table reconcile_runs, schema v5).
 * Times in ms since the epoch, money in integer nano-USD. Holds no secret.
 */
export interface ReconcileRunRecord {
  /** tokometer provider name, e.g. `openai`; several reconciled together joined by commas (`openai,openai-batch`). */
  provider: string;
  ranAt: number;
  /** Compared window [since, until), whole UTC days. */
  since: number;
  until: number;
  /** Rows compared, as grouped by `--by`. */
  rows: number;
  /** Rows beyond the tolerance (any difference class). */
  differing: number;
  /** Rows classified as unmetered traffic. */
  unmeteredRows: number;
  /** Extra requests the provider counted on those rows; null when it reports no request counts. */
  unmeteredRequests: number | null;
  /** Provider cost minus metered cost on those rows. */
  unmeteredNano: number;
  /** Metered cost over the compared rows. */
  meterNano: number;
  /** The provider's cost over the compared rows. */
  billNano: number;
}

/**
 * What `reconcile` reads and writes, and what `audit` reads of it, as part of the Store (`store.reconcile`). The queries live in
 * `read/metered-usage.ts` and `reconcile-runs.ts`, written against the async Db seam.
 */
export interface ReconcileStore {
  /** Metered usage of the named providers per UTC day × model (see MeteredUsageRow). */
  meteredUsage(q: MeteredUsageQuery): Promise<MeteredUsageRow[]>;
  /** From when raw calls are complete, ms (0 when nothing was pruned). */
  rawCallsSince(): Promise<number>;
  /** Stores one run's outcome. */
  insertRun(run: ReconcileRunRecord): Promise<void>;
  /** The newest run of each provider. */
  latestRuns(): Promise<ReconcileRunRecord[]>;
}
