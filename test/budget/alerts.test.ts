import { describe, expect, it } from 'vitest';
import { AlertNotifier, alertLine, alertPayload, type PostJson } from '../../src/budget/alerts.js';
import type { AlertEvent } from '../../src/budget/types.js';
import { harness, keyBudget, USD } from './helpers.js';

const URL = 'https://hooks.example.invalid/tokometer';

function event(threshold: number, extra: Partial<AlertEvent> = {}): AlertEvent {
  const periodStart = Date.parse('2026-11-01T00:00:00Z');
  return {
    id: `key:summarizer:${threshold}:${periodStart}`,
    name: 'summarizer',
    kind: 'key',
    tagValue: null,
    threshold,
    limitNano: 500 * USD,
    spentNano: threshold * 500 * USD,
    period: 'month',
    periodStart,
    armedFrom: periodStart,
    resetAt: Date.parse('2026-12-01T00:00:00Z'),
    soft: false,
    at: Date.parse('2026-11-20T12:00:00Z'),
    ...extra,
  };
}

/** A webhook that answers from a script (a number = status, an Error = network failure), then 200. */
function fakeWebhook(script: (number | Error)[] = []) {
  const received: { url: string; body: Record<string, unknown>; status: number }[] = [];
  const post: PostJson = async (url, body) => {
    const next = script.shift() ?? 200;
    received.push({ url, body: JSON.parse(body) as Record<string, unknown>, status: next instanceof Error ? 0 : next });
    if (next instanceof Error) throw next;
    return next;
  };
  const delivered = () => received.filter((r) => r.status >= 200 && r.status < 300);
  return { post, received, delivered };
}

function notifier(post: PostJson, extra: Partial<ConstructorParameters<typeof AlertNotifier>[0]> = {}) {
  const logs: string[] = [];
  const sleeps: number[] = [];
  const n = new AlertNotifier({
    log: (l) => logs.push(l),
    webhookUrl: URL,
    post,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { n, logs, sleeps };
}

describe('alertLine: spend that jumps past a threshold', () => {
  // One call took a $0.10 budget from under 80% to 126%: "reached 80% ($0.126 of $0.10)" read as if at 80%.
  const jumped = event(0.8, { limitNano: USD / 10, spentNano: 126_000_000, period: 'day', resetAt: null });

  it('says the threshold was passed and where the spend is now', () => {
    expect(alertLine(jumped)).toBe("budget alert: key budget 'summarizer' passed 80% of its limit (now 126%: $0.126 of $0.10 today)");
  });

  it('keeps "reached" when the spend is at the threshold (its whole percent), and leaves the webhook fields as they were', () => {
    expect(alertLine(event(0.8, { spentNano: 400 * USD + 4 * USD }))).toBe(
      "budget alert: key budget 'summarizer' reached 80% of its limit ($404.00 of $500.00 this month; resets 2026-12-01T00:00:00Z)",
    );
    const { text, ...fields } = alertPayload(jumped);
    expect(text).toBe(alertLine(jumped));
    expect(Object.keys(fields)).toEqual(['type', 'id', 'budget', 'threshold', 'period_start', 'reset_at', 'at']);
    expect(fields).toMatchObject({ threshold: 0.8, budget: { limit_usd: 0.1, spent_usd: 0.126 } });
  });
});

describe('AlertNotifier', () => {
  it('logs, keeps recent events and posts JSON without blocking the caller', async () => {
    const hook = fakeWebhook();
    const { n, logs } = notifier(hook.post);
    n.notify(event(0.8));
    expect(logs).toEqual([
      "budget alert: key budget 'summarizer' reached 80% of its limit ($400.00 of $500.00 this month; resets 2026-12-01T00:00:00Z)",
    ]);
    expect(hook.received).toEqual([]); // not sent synchronously
    await n.idle();
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0]!.url).toBe(URL);
    expect(hook.received[0]!.body).toMatchObject({
      type: 'budget.alert',
      id: event(0.8).id,
      text: alertLine(event(0.8)),
      threshold: 0.8,
      budget: { name: 'summarizer', kind: 'key', limit_usd: 500, spent_usd: 400, period: 'month' },
      reset_at: '2026-12-01T00:00:00Z',
    });
    expect(n.recent().map((e) => e.threshold)).toEqual([0.8]);
  });

  it('retries with exponential backoff until delivered', async () => {
    const hook = fakeWebhook([500, new Error('ECONNREFUSED'), 429, 503]);
    const { n, sleeps } = notifier(hook.post);
    n.notify(event(0.5));
    await n.idle();
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]);
    expect(hook.received).toHaveLength(5);
    expect(hook.delivered()).toHaveLength(1);
  });

  it('gives up after 5 attempts, and at once on a final 4xx, logging why', async () => {
    const hook = fakeWebhook([500, 500, 500, 500, 500, 404]);
    const { n, logs } = notifier(hook.post);
    n.notify(event(0.5));
    n.notify(event(0.8));
    await n.idle();
    expect(hook.received.map((r) => r.status)).toEqual([500, 500, 500, 500, 500, 404]);
    expect(logs.filter((l) => l.includes('webhook failed'))).toEqual([
      `budget alert webhook failed for ${event(0.5).id}: HTTP 500`,
      `budget alert webhook failed for ${event(0.8).id}: HTTP 404`,
    ]);
  });

  it('bounds the queue and the recent list; no webhook configured means no POST', async () => {
    const hook = fakeWebhook();
    const { n } = notifier(hook.post, { maxQueue: 2, keep: 2 });
    for (const t of [0.1, 0.2, 0.3, 0.4]) n.notify(event(t));
    await n.idle();
    expect(hook.received.map((r) => r.body['threshold'])).toEqual([0.3, 0.4]);
    expect(n.recent().map((e) => e.threshold)).toEqual([0.4, 0.3]);
    const none = new AlertNotifier({ log: () => {}, post: hook.post });
    none.notify(event(1));
    await none.idle();
    expect(hook.received).toHaveLength(2);
  });

  it('a throwing logger or claim never reaches the caller', () => {
    const n = new AlertNotifier({
      log: () => {
        throw new Error('log');
      },
      claim: () => {
        throw new Error('claim');
      },
    });
    expect(() => n.notify(event(1))).not.toThrow();
  });
});

describe('ledger + notifier end to end', () => {
  it('the webhook gets exactly one successful POST per threshold per period, even when it fails at first', async () => {
    const hook = fakeWebhook([500, new Error('reset'), 502]);
    const persisted: AlertEvent[] = [];
    const { n } = notifier(hook.post, { claim: async (e) => persisted.push(e) > 0 });
    const h = harness({ keys: { k: keyBudget(1, { alertAt: [0.5, 0.8, 1] }) } });
    const ledger = h.ledger;
    // re-wire the harness ledger's alerts into the notifier
    const forward = () => {
      for (const e of h.alerts.splice(0)) n.onCross(e);
    };
    for (let i = 0; i < 12; i++) {
      h.call('k', {}, 0.1);
      forward();
    }
    h.setTime('2026-12-03T00:00:00Z');
    for (let i = 0; i < 6; i++) {
      h.call('k', {}, 0.1);
      forward();
    }
    await n.idle();
    const ids = hook.delivered().map((r) => r.body['id']);
    expect(ids).toEqual([
      `key:k:0.5:${Date.parse('2026-11-01T00:00:00Z')}:${USD}`,
      `key:k:0.8:${Date.parse('2026-11-01T00:00:00Z')}:${USD}`,
      `key:k:1:${Date.parse('2026-11-01T00:00:00Z')}:${USD}`,
      `key:k:0.5:${Date.parse('2026-12-01T00:00:00Z')}:${USD}`,
    ]);
    expect(persisted).toHaveLength(4);
    expect(ledger.snapshot()[0]!.spentNano).toBe(Math.round(0.6 * USD));
  });
});
