import type { BudgetState } from '../budget/types.js';
import type { ErrorKind } from '../lib/errors.js';
import type { CallRecord } from '../store/types.js';
import { whyNoCost, type NoCostReason } from '../store/unpriced.js';

/** Upper bounds (seconds) of the upstream time-to-first-byte histogram. */
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Upper bounds (seconds) of the budget decision histogram: from 10 µs (decided on the
 * spot, in memory) to the longest admission wait.
 */
const DECISION_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Most (provider, model) series of each of tokometer_unpriced_calls_total and
 * tokometer_usage_unknown_calls_total; the calls of models past it count under model="(other)"
 * (a client inventing model names cannot grow /metrics).
 */
const MAX_MODEL_SERIES = 200;

/** A Prometheus label value: backslash, double quote and newline escaped. */
const labelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * In-memory counters rendered as Prometheus text on `GET /metrics`. Labels are
 * provider names, statuses and outcomes, metering key names, and budget names (a key's name
 * or a `budgets:` entry): never secrets or tag values (the instances of a `per` budget are summed).
 */
export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly costNano = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  /** Headers dropped under `tags.on_invalid: drop`, by label text (`key="…"`). */
  private readonly tagsDroppedByKey = new Map<string, number>();
  /** Calls with cost null by why (store/unpriced.ts whyNoCost: unpriced, usage unknown), then by label text (`provider="…",model="…"`). */
  private readonly noCost: Readonly<Record<NoCostReason, Map<string, number>>> = { unpriced: new Map(), usage_unknown: new Map() };
  private budgetBlocks = 0;
  private budgetBusy = 0;
  private readonly latency = new Map<string, { buckets: number[]; sum: number; count: number }>();
  private budgets: (() => readonly BudgetState[]) | null = null;
  private readonly decisions = { buckets: DECISION_BUCKETS.map(() => 0), sum: 0, count: 0 };
  /** More Prometheus text appended to `render()` (the OpenTelemetry exporter's counts). */
  private readonly extra: Array<() => string> = [];

  /** Appends the lines `render` returns (complete `# HELP`/`# TYPE`/sample lines) to every scrape. */
  addSection(render: () => string): void {
    this.extra.push(render);
  }

  /** Adds per-budget gauges (holds of calls in flight, callers waiting) read from `source` at each scrape. */
  watchBudgets(source: () => readonly BudgetState[]): void {
    this.budgets = source;
  }

  observe(record: CallRecord): void {
    const reqKey = `provider="${record.provider}",status="${record.status}",outcome="${record.outcome}"`;
    this.requests.set(reqKey, (this.requests.get(reqKey) ?? 0) + 1);
    if (record.costNano) this.costNano.set(record.provider, (this.costNano.get(record.provider) ?? 0) + record.costNano);
    // A priced call only compares its cost to null.
    if (record.costNano === null) this.countNoCost(record);
    if (record.usage) {
      const inKey = `provider="${record.provider}",direction="input"`;
      const outKey = `provider="${record.provider}",direction="output"`;
      this.tokens.set(inKey, (this.tokens.get(inKey) ?? 0) + record.usage.inputTokens);
      this.tokens.set(outKey, (this.tokens.get(outKey) ?? 0) + record.usage.outputTokens);
    }
    if (record.ttfbMs !== null) {
      let h = this.latency.get(record.provider);
      if (!h) this.latency.set(record.provider, (h = { buckets: LATENCY_BUCKETS.map(() => 0), sum: 0, count: 0 }));
      const seconds = record.ttfbMs / 1000;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= (LATENCY_BUCKETS[i] as number)) (h.buckets[i] as number)++;
      h.sum += seconds;
      h.count++;
    }
  }

  /** Counts a call recorded with cost null under its reason's series of its provider and model. */
  private countNoCost(record: CallRecord): void {
    const why = whyNoCost(record);
    if (why === null) return;
    const counts = this.noCost[why];
    let labels = `provider="${record.provider}",model="${labelValue(record.model ?? '(no model)')}"`;
    if (!counts.has(labels) && counts.size >= MAX_MODEL_SERIES) labels = `provider="${record.provider}",model="(other)"`;
    counts.set(labels, (counts.get(labels) ?? 0) + 1);
  }

  /**
   * Counts a call answered without a record (no valid metering key: 401; the store refuses
   * records: 503), which never reaches `observe`, as a refused request of `provider` with
   * HTTP `status`.
   */
  unrecorded(provider: string, status: number): void {
    const reqKey = `provider="${provider}",status="${status}",outcome="refused"`;
    this.requests.set(reqKey, (this.requests.get(reqKey) ?? 0) + 1);
  }

  /** Counts a call of metering key `keyName` recorded without its `X-Metering-Tags` (invalid, dropped under `tags.on_invalid: drop`). */
  tagsDropped(keyName: string): void {
    const labels = `key="${labelValue(keyName)}"`;
    this.tagsDroppedByKey.set(labels, (this.tagsDroppedByKey.get(labels) ?? 0) + 1);
  }

  /** Counts a budget refusal: a spent cap (`budget_exceeded`), or a wait for room that ran out (`budget_busy`); other kinds (a waiter refused at shutdown: `unavailable`) are neither. */
  budgetBlocked(kind: ErrorKind = 'budget_exceeded'): void {
    if (kind === 'budget_busy') this.budgetBusy++;
    else if (kind === 'budget_exceeded') this.budgetBlocks++;
  }

  /** Times one budget decision (admitted, refused or left while waiting), in seconds. */
  budgetDecision(seconds: number): void {
    const h = this.decisions;
    for (let i = 0; i < DECISION_BUCKETS.length; i++) if (seconds <= DECISION_BUCKETS[i]!) h.buckets[i]!++;
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP tokometer_requests_total Proxied calls by provider, status and outcome.', '# TYPE tokometer_requests_total counter');
    for (const [labels, n] of this.requests) lines.push(`tokometer_requests_total{${labels}} ${n}`);
    lines.push('# HELP tokometer_cost_usd_total Metered cost in USD by provider.', '# TYPE tokometer_cost_usd_total counter');
    for (const [provider, nano] of this.costNano) lines.push(`tokometer_cost_usd_total{provider="${provider}"} ${(nano / 1e9).toFixed(9)}`);
    lines.push('# HELP tokometer_tokens_total Metered tokens by provider and direction.', '# TYPE tokometer_tokens_total counter');
    for (const [labels, n] of this.tokens) lines.push(`tokometer_tokens_total{${labels}} ${n}`);
    lines.push('# HELP tokometer_unpriced_calls_total Calls with known usage and no price (recorded with cost null, settled $0 against their budgets), by provider and model.', '# TYPE tokometer_unpriced_calls_total counter');
    for (const [labels, n] of this.noCost.unpriced) lines.push(`tokometer_unpriced_calls_total{${labels}} ${n}`);
    lines.push('# HELP tokometer_usage_unknown_calls_total Calls whose usage is unknown (an answer that did not parse, an upload that could not be measured: recorded with cost null, settled $0 against their budgets), by provider and model.', '# TYPE tokometer_usage_unknown_calls_total counter');
    for (const [labels, n] of this.noCost.usage_unknown) lines.push(`tokometer_usage_unknown_calls_total{${labels}} ${n}`);
    lines.push('# HELP tokometer_tags_dropped_total Calls recorded without their X-Metering-Tags (invalid, dropped under tags.on_invalid: drop), by metering key.', '# TYPE tokometer_tags_dropped_total counter');
    for (const [labels, n] of this.tagsDroppedByKey) lines.push(`tokometer_tags_dropped_total{${labels}} ${n}`);
    lines.push('# HELP tokometer_budget_blocks_total Calls refused by a budget whose cap is spent.', '# TYPE tokometer_budget_blocks_total counter');
    lines.push(`tokometer_budget_blocks_total ${this.budgetBlocks}`);
    lines.push('# HELP tokometer_budget_busy_total Calls answered budget_busy: their wait for room beside the calls in flight ran out.', '# TYPE tokometer_budget_busy_total counter');
    lines.push(`tokometer_budget_busy_total ${this.budgetBusy}`);
    lines.push('# HELP tokometer_budget_decision_seconds Time from a call\'s budget check to its admission or refusal (waits for room included).', '# TYPE tokometer_budget_decision_seconds histogram');
    DECISION_BUCKETS.forEach((le, i) => lines.push(`tokometer_budget_decision_seconds_bucket{le="${le}"} ${this.decisions.buckets[i]}`));
    lines.push(`tokometer_budget_decision_seconds_bucket{le="+Inf"} ${this.decisions.count}`, `tokometer_budget_decision_seconds_sum ${this.decisions.sum}`, `tokometer_budget_decision_seconds_count ${this.decisions.count}`);
    lines.push('# HELP tokometer_upstream_ttfb_seconds Time to the first upstream byte.', '# TYPE tokometer_upstream_ttfb_seconds histogram');
    for (const [provider, h] of this.latency) {
      LATENCY_BUCKETS.forEach((le, i) => lines.push(`tokometer_upstream_ttfb_seconds_bucket{provider="${provider}",le="${le}"} ${h.buckets[i]}`));
      lines.push(`tokometer_upstream_ttfb_seconds_bucket{provider="${provider}",le="+Inf"} ${h.count}`);
      lines.push(`tokometer_upstream_ttfb_seconds_sum{provider="${provider}"} ${h.sum.toFixed(6)}`);
      lines.push(`tokometer_upstream_ttfb_seconds_count{provider="${provider}"} ${h.count}`);
    }
    if (this.budgets !== null) this.renderBudgets(this.budgets(), lines);
    return lines.join('\n') + '\n' + this.extra.map((render) => render()).join('');
  }

  /** Per budget (kind, name): estimates held by calls in flight, those calls, and the callers waiting for room. */
  private renderBudgets(states: readonly BudgetState[], lines: string[]): void {
    const sums = new Map<string, { reservedNano: number; inFlight: number; waiting: number }>();
    for (const s of states) {
      const labels = `kind="${s.kind}",budget="${labelValue(s.name)}"`;
      let sum = sums.get(labels);
      if (sum === undefined) sums.set(labels, (sum = { reservedNano: 0, inFlight: 0, waiting: 0 }));
      sum.reservedNano += s.reservedNano;
      sum.inFlight += s.inFlight;
      sum.waiting += s.waiting;
    }
    lines.push('# HELP tokometer_budget_reserved_usd Estimates held by calls in flight, per budget.', '# TYPE tokometer_budget_reserved_usd gauge');
    for (const [labels, s] of sums) lines.push(`tokometer_budget_reserved_usd{${labels}} ${(s.reservedNano / 1e9).toFixed(9)}`);
    lines.push('# HELP tokometer_budget_in_flight Calls admitted and not yet settled, per budget.', '# TYPE tokometer_budget_in_flight gauge');
    for (const [labels, s] of sums) lines.push(`tokometer_budget_in_flight{${labels}} ${s.inFlight}`);
    lines.push('# HELP tokometer_budget_waiting Callers waiting for room beside the calls in flight, per budget.', '# TYPE tokometer_budget_waiting gauge');
    for (const [labels, s] of sums) lines.push(`tokometer_budget_waiting{${labels}} ${s.waiting}`);
  }
}
