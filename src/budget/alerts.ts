import { formatSpentOf, nanoToUsd, wholePercentSpent } from '../lib/money.js';
import { withoutCredentials } from '../lib/url-credentials.js';
import { ALERT_CLAIM_WAIT_MS, awaitClaim, type ClaimAnswer } from './alert-claim.js';
import { isoInstant } from './errors.js';
import { instanceSuffix } from './instance-name.js';
import type { AlertEvent } from './types.js';

/** Runtime-neutral HTTP POST of a JSON body; resolves to the HTTP status, rejects on network failure. */
export type PostJson = (url: string, body: string) => Promise<number>;

export interface AlertNotifierOptions {
  /** Writes one log line (e.g. the logger's warn). */
  log: (line: string) => void;
  /** `alerts.webhook_url`; no webhook when undefined. */
  webhookUrl?: string;
  post?: PostJson;
  /** Waits `ms` before a retry; defaults to an unref'd setTimeout (never holds the process open). */
  sleep?: (ms: number) => Promise<void>;
  /**
   * The claim, called for every event: stores the alert's row (insert-or-ignore on its
   * identity, store.budgets.recordAlert) and resolves true when this call stored it, false
   * when it was there already (another replica stored it first and sends the webhook);
   * rejects when the store refused. The webhook goes out when it answers true, or when it
   * does not answer within `claimWaitMs` (then the log says it may be a duplicate). Without
   * a claim every event is sent.
   */
  claim?: (event: AlertEvent) => Promise<boolean>;
  /** ms the webhook waits at most for the claim's answer (default ALERT_CLAIM_WAIT_MS). */
  claimWaitMs?: number;
  /** Events kept for the TUI (default 50). */
  keep?: number;
  /** Webhook deliveries waiting at most (default 1000); beyond that the oldest is dropped. */
  maxQueue?: number;
  /** POST attempts per event, first included (default 5). */
  maxAttempts?: number;
  /** Delay before the first retry, ms; doubles at each retry: 1s, 2s, 4s, 8s (default 1000). */
  baseDelayMs?: number;
}

const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms) as unknown as { unref?: () => void };
    t.unref?.();
  });

/** Whether a webhook answer is worth retrying: timeouts, rate limits, server errors. */
function retryable(status: number): boolean {
  return status === 0 || status === 408 || status === 425 || status === 429 || status >= 500;
}

/**
 * One line for logs and, Slack-escaped (alertPayload), the webhook's `text`. Spend at the
 * threshold's whole percent "reached 80%"; spend a call took beyond it "passed 80% … (now
 * 126%: …)", the whole percent of the limit spent now (rounded down, so never above the truth).
 */
export function alertLine(e: AlertEvent): string {
  const who = `'${e.name}'${instanceSuffix(e.per, e.tagValue)}`;
  const phrase = e.period === 'total' ? 'in total' : e.period === 'day' ? 'today' : `this ${e.period}`;
  const reset = e.resetAt === null ? '' : `; resets ${isoInstant(e.resetAt)}`;
  const threshold = Math.round(e.threshold * 100);
  const now = wholePercentSpent(e.spentNano, e.limitNano, threshold);
  const crossing = now > threshold ? `passed ${threshold}% of its limit (now ${now}%: ` : `reached ${threshold}% of its limit (`;
  return `budget alert: ${e.kind} budget ${who} ${crossing}${formatSpentOf(e.spentNano, e.limitNano)} ${phrase}${reset})`;
}

/** Slack's escaping of message text: `&`, `<`, `>` (a tag value may not be read as `<!channel>` or a `<url|link>`). */
const slackText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The webhook's JSON body. `id` is stable per alert (AlertEvent.id), also across replicas: receivers can de-duplicate retries.
 * A `per` budget's `budget` names its tag (`per`) beside the instance's `tag_value`, as the 429 body does.
 */
export function alertPayload(e: AlertEvent): Record<string, unknown> {
  return {
    type: 'budget.alert',
    id: e.id,
    text: slackText(alertLine(e)),
    budget: { name: e.name, kind: e.kind, ...(e.per ? { per: e.per } : {}), tag_value: e.tagValue, limit_usd: nanoToUsd(e.limitNano), spent_usd: nanoToUsd(e.spentNano), period: e.period, soft: e.soft },
    threshold: e.threshold,
    period_start: isoInstant(e.periodStart),
    reset_at: e.resetAt === null ? null : isoInstant(e.resetAt),
    at: isoInstant(e.at),
  };
}

/** An event waiting for its webhook: the claim's answer decides whether this replica sends it. */
interface PendingAlert {
  readonly event: AlertEvent;
  readonly answer: Promise<ClaimAnswer>;
  /** The answer's kind once it came. */
  answered?: ClaimAnswer['kind'];
}

/**
 * Fans out budget alert events: a log line and a bounded in-memory list for the TUI (on
 * every replica that sees the crossing), the claim (the alert's stored row) and a webhook
 * POST from the replica whose claim stored the row. `notify` never blocks and never throws:
 * deliveries run one at a time in the background, in order, each after its claim answered,
 * retried with exponential backoff until a 2xx (other 4xx answers are final). Delivery is
 * at-least-once per alert (a POST that succeeded but timed out is retried; a claim the store
 * did not answer sends it anyway), hence the stable `id`.
 */
export class AlertNotifier {
  private readonly recentEvents: AlertEvent[] = [];
  private readonly queue: PendingAlert[] = [];
  private running: Promise<void> | null = null;
  /** The alert whose delivery is under way (its claim awaited, or between attempts). */
  private delivering: PendingAlert | null = null;
  /** Set by `abandon`: no further attempt is made. */
  private closed = false;
  private readonly keep: number;
  private readonly maxQueue: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: AlertNotifierOptions) {
    this.keep = options.keep ?? 50;
    this.maxQueue = options.maxQueue ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 1000;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Pass as the ledger's `onCross`. */
  readonly onCross = (event: AlertEvent): void => this.notify(event);

  notify(event: AlertEvent): void {
    this.safely(() => this.options.log(alertLine(event)));
    this.recentEvents.push(event);
    if (this.recentEvents.length > this.keep) this.recentEvents.shift();
    const claim = this.claim(event);
    if (this.options.webhookUrl === undefined || this.options.post === undefined) return;
    if (this.closed) {
      this.safely(() => this.options.log(`budget alert webhook: not delivered before exit: ${event.id}`));
      return;
    }
    if (this.queue.length >= this.maxQueue) {
      const dropped = this.queue.shift()!;
      this.safely(() => this.options.log(`budget alert webhook queue full: dropped ${dropped.event.id}`));
    }
    const pending: PendingAlert = { event, answer: claim === undefined ? Promise.resolve({ kind: 'mine' }) : awaitClaim(claim, this.options.claimWaitMs ?? ALERT_CLAIM_WAIT_MS) };
    void pending.answer.then((a) => (pending.answered = a.kind));
    this.queue.push(pending);
    this.running ??= Promise.resolve().then(() => this.drain());
  }

  /** The latest events, newest first (at most `keep`). */
  recent(): AlertEvent[] {
    return this.recentEvents.slice().reverse();
  }

  /** Resolves when no webhook delivery is pending (for tests and a graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /**
   * At shutdown, once `idle` has had its time: stops delivering and logs one line per alert
   * whose webhook has not accepted it (the one being retried, then those queued; not those
   * another replica sends), so an undelivered page is never dropped silently (it is stored
   * as fired: a restart does not send it). @returns their ids.
   */
  abandon(): string[] {
    this.closed = true;
    const pending = this.delivering === null ? [...this.queue] : [this.delivering, ...this.queue];
    this.queue.length = 0;
    const left = pending.filter((p) => p.answered !== 'taken').map((p) => p.event);
    for (const e of left) this.safely(() => this.options.log(`budget alert webhook: not delivered before exit: ${e.id} (${alertLine(e)})`));
    return left.map((e) => e.id);
  }

  private async drain(): Promise<void> {
    try {
      for (let p = this.queue.shift(); p !== undefined && !this.closed; p = this.queue.shift()) {
        this.delivering = p;
        const answer = await p.answer;
        if (answer.kind === 'unknown' && !this.closed) {
          this.safely(() => this.options.log(`budget alert webhook: sending ${p!.event.id} though another replica may send it too, so it may be duplicated (${answer.reason})`));
        }
        if (answer.kind !== 'taken') await this.deliver(p.event);
        this.delivering = null;
      }
    } finally {
      this.delivering = null;
      this.running = null;
    }
  }

  private async deliver(event: AlertEvent): Promise<void> {
    const url = this.options.webhookUrl!;
    const post = this.options.post!;
    const body = JSON.stringify(alertPayload(event));
    let last = '';
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (attempt > 0) await this.sleep(this.baseDelayMs * 2 ** (attempt - 1));
      if (this.closed) return;
      try {
        const status = await post(url, body);
        if (status >= 200 && status < 300) return;
        last = `HTTP ${status}`;
        if (!retryable(status)) break;
      } catch (err) {
        // A runtime's error may quote the URL, which can hold a credential.
        last = (err instanceof Error ? err.message : String(err)).split(url).join(withoutCredentials(url));
      }
    }
    this.safely(() => this.options.log(`budget alert webhook failed for ${event.id}: ${last}`));
  }

  /** Starts the event's claim (the alert's row); undefined without one. A claim that throws counts as refused. */
  private claim(event: AlertEvent): Promise<boolean> | undefined {
    const claim = this.options.claim;
    if (claim === undefined) return undefined;
    let inserted: Promise<boolean>;
    try {
      inserted = claim(event);
    } catch (error) {
      inserted = Promise.reject(error);
    }
    // Without a webhook nobody awaits the answer: a refusal is the claim's to log.
    inserted.catch(() => {});
    return inserted;
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch {
      // Logging or persisting an alert must never break the request that crossed it.
    }
  }
}
