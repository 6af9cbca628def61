import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { proxySuite } from '../budget/proxy-suite.js';
import { addKey, chatReply, keyBudget, type BudgetProxy } from '../budget/support.js';
import type { ReceivedRequest } from '../support/fake-upstream.js';
import { waitFor } from '../support/proxy-harness.js';

const TOKEN = 'admission-admin-token';
/** Holds the answer to a "slow" call until `release()` (the call holds its reservation meanwhile). */
let release: () => void = () => {};

/** chatReply, but a prompt containing "slow" is answered in two pieces, the second once the test releases it. */
function reply(req: ReceivedRequest) {
  const r = chatReply(req);
  if (r === undefined || !req.body.includes('slow')) return r;
  const text = Array.isArray(r.body) ? r.body.join('') : r.body;
  const hold = new Promise<void>((resolve) => (release = resolve));
  return { ...r, body: [text.slice(0, 10), text.slice(10)], hold };
}

/** A key whose $0.0003 cap fits one call of max_tokens 400 (~$0.000245 estimated) at a time, never two. */
const CAP = keyBudget(0.0003, { alertAt: [] });

async function post(baseUrl: string, secret: string, content: string, signal?: AbortSignal) {
  const res = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 400, messages: [{ role: 'user', content }] }),
    ...(signal ? { signal } : {}),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

describe('budget admission through the proxy (issue #14)', () => {
  // A proxy and database of its own for each case.
  const suite = proxySuite({ reply, scope: 'test' });
  let p: BudgetProxy | null = null;
  const admin = async (path: string) => {
    const res = await fetch(`${p!.proxy.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return path === '/metrics' ? res.text() : ((await res.json()) as { budgets: Array<Record<string, unknown>> });
  };
  const budgetOf = async (name: string) => ((await admin('/admin/budgets')) as { budgets: Array<Record<string, unknown>> }).budgets.find((b) => b.name === name)!;
  /** A proxy (with `yaml` added) and key 'k' under CAP, with one slow call already upstream and holding the cap. */
  const startWithSlowCall = async (yaml = '') => {
    p = await suite.start({ yaml: `admin: { token: "${TOKEN}" }\n${yaml}` });
    const secret = await addKey(p.proxy, 'k', { budget: CAP });
    const seen = suite.fake.requests.length;
    const first = post(p.baseUrl, secret, 'slow first');
    await waitFor(() => suite.fake.requests.length === seen + 1, 5000, 'the first call upstream');
    return { proxy: p, secret, seen, first };
  };

  it('a caller that disconnects while waiting leaves the queue at once, holds nothing, and the queue moves on', async () => {
    const { proxy: px, secret, seen, first } = await startWithSlowCall();
    const leaving = new AbortController();
    const second = post(px.baseUrl, secret, 'second', leaving.signal).catch((e: unknown) => e);
    await waitFor(() => px.proxy.budgets!.snapshot()[0]!.waiting === 1, 5000, 'the second caller waiting');
    const third = post(px.baseUrl, secret, 'third');
    await waitFor(() => px.proxy.budgets!.snapshot()[0]!.waiting === 2, 5000, 'the third caller waiting');

    // The admin API and /metrics show the call in flight and the two callers waiting.
    expect(await budgetOf('k')).toMatchObject({ in_flight: 1, waiting: 2, spent_usd: 0 });
    expect((await budgetOf('k')).reserved_usd).toBeGreaterThan(0);
    const metrics = (await admin('/metrics')) as string;
    expect(metrics).toContain('tokometer_budget_in_flight{kind="key",budget="k"} 1');
    expect(metrics).toContain('tokometer_budget_waiting{kind="key",budget="k"} 2');

    leaving.abort();
    expect(await second).toBeInstanceOf(Error);
    await waitFor(() => px.proxy.budgets!.snapshot()[0]!.waiting === 1, 2000, 'the second caller to leave');
    expect(px.proxy.budgets!.snapshot()[0]).toMatchObject({ inFlight: 1, waiting: 1 });
    release();

    expect((await first).status).toBe(200);
    expect((await third).status).toBe(200);
    expect(suite.fake.requests.length).toBe(seen + 2);
    expect(suite.fake.requests.slice(seen).map((r) => (JSON.parse(r.body) as { messages: Array<{ content: string }> }).messages[0]!.content)).toEqual(['slow first', 'third']);
    expect(px.proxy.budgets!.snapshot()[0]).toMatchObject({ inFlight: 0, waiting: 0, reservedNano: 0 });

    await px.proxy.queue.drain();
    const rows = px.driver.prepare("SELECT outcome, status, cost_nano, usage_source, error FROM calls WHERE key_name = 'k' ORDER BY id").all<Record<string, unknown>>();
    const aborted = rows.filter((r) => r.outcome === 'client_aborted');
    expect(aborted).toEqual([{ outcome: 'client_aborted', status: 0, cost_nano: 0, usage_source: 'not_metered', error: 'client disconnected while waiting for budget room' }]);
    expect(rows.filter((r) => r.outcome === 'ok')).toHaveLength(2);
    // Settled spend is exactly the two served calls: the aborted waiter never held or spent anything.
    const served = rows.filter((r) => r.outcome === 'ok').reduce((s, r) => s + Number(r.cost_nano), 0);
    expect(px.proxy.budgets!.snapshot()[0]!.spentNano).toBe(served);
  });

  it('budget_admission_wait_ms: 0 answers at once with budget_busy (never as exhausted), which the openai SDK retries', async () => {
    const { proxy: px, secret, first } = await startWithSlowCall('budget_admission_wait_ms: 0\n');

    const noRetry = new OpenAI({ apiKey: secret, baseURL: px.baseUrl, maxRetries: 0 });
    const error = await noRetry.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 400, messages: [{ role: 'user', content: 'busy' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const e = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(e.status).toBe(429);
    expect(e.headers?.get('retry-after')).toBe('1');
    expect(e.headers?.get('x-should-retry')).toBe('true');
    const body = e.error as { code: string; type: string; reset_at?: string; budget: Record<string, unknown> };
    expect(body).toMatchObject({ code: 'budget_busy', type: 'budget_busy', budget: { name: 'k', limit_usd: 0.0003, in_flight: 1, waiting: 0 } });
    expect(body.reset_at).toBeUndefined();
    expect(e.message).toMatch(/Budget 'k' busy: .*does not fit beside them \(budget_admission_wait_ms is 0\)/);

    // The SDK's own retry (Retry-After: 1) takes over: its first attempt is busy; the first
    // call then settles, and the retry a second later is served.
    const retrying = new OpenAI({ apiKey: secret, baseURL: px.baseUrl, maxRetries: 3 });
    const served = retrying.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 400, messages: [{ role: 'user', content: 'retried' }] });
    await waitFor(() => px.proxy.metrics.render().includes('tokometer_budget_busy_total 2'), 5000, 'the retrying client refused once');
    release();
    expect((await first).status).toBe(200);
    expect((await served).choices[0]?.message.content).toBe('ok');
    await px.proxy.queue.drain();
    const refused = px.driver.prepare("SELECT status, outcome FROM calls WHERE outcome = 'refused'").all<Record<string, unknown>>();
    expect(refused).toHaveLength(2);
    expect(refused.every((r) => r.status === 429)).toBe(true);
    expect((await admin('/metrics')) as string).toContain('tokometer_budget_busy_total 2');
    expect((await admin('/metrics')) as string).toContain('tokometer_budget_blocks_total 0');
  });

  it('a wait that runs out (budget_admission_wait_ms) is budget_busy naming the budget', async () => {
    const { proxy: px, secret, first } = await startWithSlowCall('budget_admission_wait_ms: 200\n');
    const busy = await post(px.baseUrl, secret, 'gives up');
    release();
    expect(busy.status).toBe(429);
    expect(busy.headers.get('x-should-retry')).toBe('true');
    expect(busy.json.error).toMatchObject({ code: 'budget_busy', budget: { name: 'k' } });
    expect(busy.json.error.message).toMatch(/found no room within 0\.2 s/);
    expect((await first).status).toBe(200);
  });
});
