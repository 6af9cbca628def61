import { describe, expect, it } from 'vitest';
import { proxySuite } from '../budget/proxy-suite.js';
import { addKey, chatReply, keyBudget } from '../budget/support.js';
import type { CallRecord } from '../../src/store/types.js';
import type { ReceivedRequest } from '../support/fake-upstream.js';
import { waitFor } from '../support/proxy-harness.js';

/** Holds the answer to the "slow" call until `release()` (it holds its reservation meanwhile). */
let release: () => void = () => {};

function reply(req: ReceivedRequest) {
  const r = chatReply(req);
  if (r === undefined || !req.body.includes('slow')) return r;
  const text = Array.isArray(r.body) ? r.body.join('') : r.body;
  const hold = new Promise<void>((resolve) => (release = resolve));
  return { ...r, body: [text.slice(0, 10), text.slice(10)], hold };
}

/** $0.0003 fits one call of max_tokens 400 (~$0.000245 estimated) at a time, never two. */
const CAP = keyBudget(0.0003, { alertAt: [] });

async function post(baseUrl: string, secret: string, content: string) {
  const res = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 400, messages: [{ role: 'user', content }] }),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

const sleep = (ms: number) => new Promise<null>((resolve) => setTimeout(() => resolve(null), ms));

/**
 * A review: after SIGTERM, callers waiting for budget room were still admitted as the calls
 * in flight settled and sent upstream during the grace period, where the last ones were cut
 * at its end (recorded client_aborted, billed by the provider, retried by the SDK).
 * From the moment the shutdown starts, a waiter is answered at once with a retryable 503
 * and never sent; the call already forwarded runs on to its end.
 */
describe('budget admission waiters at shutdown', () => {
  const suite = proxySuite({ reply, scope: 'test' });

  it('answers a caller waiting for budget room 503 with Retry-After at once and never sends it; the call in flight finishes', async () => {
    const records: CallRecord[] = [];
    const p = await suite.start({ overrides: { onRecord: (r) => records.push(r) } });
    const secret = await addKey(p.proxy, 'k', { budget: CAP });
    const seen = suite.fake.requests.length;
    const first = post(p.baseUrl, secret, 'slow first');
    await waitFor(() => suite.fake.requests.length === seen + 1, 5000, 'the first call upstream');
    const second = post(p.baseUrl, secret, 'second');
    await waitFor(() => p.proxy.budgets!.snapshot()[0]!.waiting === 1, 5000, 'the second caller waiting');

    const stopping = p.proxy.stop(5000);
    // Answered within a second of the shutdown's start, while the first call still runs.
    const early = await Promise.race([second, sleep(1000)]);
    release();
    expect((await first).status).toBe(200);
    const answered = early ?? (await second);
    await stopping;

    expect({ answeredWithin1s: early !== null, status: answered.status, sentUpstream: suite.fake.requests.length - seen }).toEqual({ answeredWithin1s: true, status: 503, sentUpstream: 1 });
    expect(answered.headers.get('retry-after')).toBe('1');
    expect(answered.headers.get('x-should-retry')).toBe('true');
    expect(answered.json.error).toMatchObject({ type: 'server_error', code: 'service_unavailable' });
    expect(answered.json.error.message).toMatch(/shutting down.*budget 'k'.*not sent to the provider/);

    // Recorded as refused, as a budget refusal is (503, nothing spent, never sent); the first call is recorded ok.
    const mine = records.filter((r) => r.keyName === 'k');
    expect(mine.map((r) => [r.outcome, r.status])).toEqual(expect.arrayContaining([['ok', 200], ['refused', 503]]));
    const refused = mine.find((r) => r.outcome === 'refused')!;
    expect({ cost: refused.costNano, usageSource: refused.usageSource }).toEqual({ cost: 0, usageSource: 'not_metered' });
    expect(refused.error).toMatch(/shutting down/);
  });
});
