import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/start.js';
import type { SqlDriver } from '../../src/store/types.js';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY, waitFor } from '../support/proxy-harness.js';
import { addKey, keyBudget, startBudgetProxy, tempDb } from './support.js';

/**
 * A model with no price settles $0 against the budgets its calls count against
 * (docs/prices.md): on a hard budget that is no limit at all. The admission rule stays;
 * serve says it once per (key, model) and counts unpriced calls on /metrics. A call whose
 * usage is unknown (a 200 answer that did not parse) settles $0 too: the same, in words of its own.
 */

/** The prompt the fake answers with a cut JSON body (200, application/json): usage unknown. */
const CUT_ANSWER = 'answer cut';

/** Chat answers naming the model asked for, 20 tokens in and 5 out; `{"id": ` to CUT_ANSWER. */
function chatAnswer(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/chat/completions') return undefined;
  const { model, messages } = req.json as { model: string; messages: Array<{ content: string }> };
  if (messages[0]?.content === CUT_ANSWER) return { body: '{"id": ' };
  const usage = { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 };
  return { body: JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion', created: 1767225600, model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage }) };
}

describe('calls a hard budget does not count: unpriced, or usage unknown', () => {
  let fake: FakeUpstream;
  let proxy: RunningProxy;
  let driver: SqlDriver;
  let baseUrl: string;
  const folder = tempDb();
  const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const log = { info: () => {}, error: () => {}, warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }) };

  beforeAll(async () => {
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: chatAnswer }).start();
    ({ proxy, driver, baseUrl } = await startBudgetProxy({ dbPath: folder.dbPath, fake, yaml: 'budgets:\n  - { name: team-a-daily, match: { team: a }, limit_usd: 0.001, period: day }\n', overrides: { log } }));
  });
  afterAll(async () => {
    await proxy?.stop(1000);
    await fake?.stop();
    folder.cleanup();
  });

  const chat = async (secret: string, model: string, tags?: Record<string, string>, content = 'hi') => {
    const res = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...(tags ? { 'x-metering-tags': JSON.stringify(tags) } : {}) },
      body: JSON.stringify({ model, max_tokens: 5, messages: [{ role: 'user', content }] }),
    });
    await res.text();
    return res.status;
  };
  const noPrice = () => warnings.filter((w) => w.msg.includes('have no price'));
  const metricLines = async (name: string) => {
    const text = await (await fetch(`${proxy.url}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith(`${name}{`));
  };
  const unpricedTotals = () => metricLines('tokometer_unpriced_calls_total');

  it('warns once per key and model that the calls count $0 against the hard budget, and counts them on /metrics', async () => {
    const capped = await addKey(proxy, 'capped', { budget: keyBudget(0.0005, { period: 'day' }) });
    const soft = await addKey(proxy, 'soft-capped', { budget: keyBudget(0.0005, { period: 'day', soft: true }) });
    const free = await addKey(proxy, 'free');

    // Five calls of a model with no price on a $0.0005/day key all pass (the admission rule is unchanged).
    for (let i = 0; i < 5; i++) expect(await chat(capped, 'gpt-9-turbo')).toBe(200);
    expect(noPrice().map((w) => w.msg)).toEqual(['calls of gpt-9-turbo on key capped have no price: they count $0 against its budget capped; add a price under prices: (docs/prices.md)']);
    expect(noPrice()[0]!.fields).toMatchObject({ key: 'capped', model: 'gpt-9-turbo', provider: 'openai', budget: 'capped' });

    // Another model on the same key: its own warning, once.
    expect(await chat(capped, 'gpt-9-mini')).toBe(200);
    expect(await chat(capped, 'gpt-9-mini')).toBe(200);
    // A soft budget never refuses, a key without a budget has none: no warning, but counted.
    expect(await chat(soft, 'gpt-9-turbo')).toBe(200);
    expect(await chat(free, 'gpt-9-turbo')).toBe(200);
    // A priced model is neither warned about nor counted.
    expect(await chat(capped, 'gpt-4o-mini')).toBe(200);
    expect(noPrice().map((w) => w.fields?.model)).toEqual(['gpt-9-turbo', 'gpt-9-mini']);

    expect(await unpricedTotals()).toEqual([
      'tokometer_unpriced_calls_total{provider="openai",model="gpt-9-turbo"} 7',
      'tokometer_unpriced_calls_total{provider="openai",model="gpt-9-mini"} 2',
    ]);
  });

  it('names the tag budgets a call counts against, and every hard budget when several hold it', async () => {
    const tagged = await addKey(proxy, 'tagged');
    const both = await addKey(proxy, 'both', { budget: keyBudget(0.0005, { period: 'day' }) });
    expect(await chat(tagged, 'gpt-9-turbo', { team: 'a' })).toBe(200);
    expect(await chat(both, 'gpt-9-turbo', { team: 'a' })).toBe(200);
    expect(noPrice().slice(2).map((w) => w.msg)).toEqual([
      'calls of gpt-9-turbo on key tagged have no price: they count $0 against its budget team-a-daily; add a price under prices: (docs/prices.md)',
      'calls of gpt-9-turbo on key both have no price: they count $0 against its budgets both, team-a-daily; add a price under prices: (docs/prices.md)',
    ]);
  });

  it('warns once per key and model that calls of unknown usage count $0 against the hard budget, and counts them on /metrics', async () => {
    const capped = await addKey(proxy, 'unread', { budget: keyBudget(0.0005, { period: 'day' }) });
    const soft = await addKey(proxy, 'soft-unread', { budget: keyBudget(0.0005, { period: 'day', soft: true }) });
    const before = warnings.length;
    const unknownUsage = () => warnings.slice(before).filter((w) => w.msg.includes('unknown usage'));

    // gpt-4o-mini has a price; its answer does not parse: usage unknown, cost null, settled $0.
    expect(await chat(capped, 'gpt-4o-mini', undefined, CUT_ANSWER)).toBe(200);
    expect(await chat(capped, 'gpt-4o-mini', undefined, CUT_ANSWER)).toBe(200);
    expect(await chat(soft, 'gpt-4o-mini', undefined, CUT_ANSWER)).toBe(200);
    const rows = () => driver.prepare("SELECT key_name, model, usage_source, cost_nano FROM calls WHERE key_name IN ('unread', 'soft-unread')").all();
    await waitFor(() => rows().length === 3, 5000, 'three records');
    expect(rows()).toEqual(Array(3).fill(expect.objectContaining({ model: 'gpt-4o-mini', usage_source: 'unknown', cost_nano: null })));
    // Not unpriced: a price would not change them.
    expect(warnings.slice(before).filter((w) => w.msg.includes('have no price'))).toEqual([]);

    // A model with no price on the same key: unpriced first, then an answer that does not parse, each said once.
    expect(await chat(capped, 'gpt-9-turbo')).toBe(200);
    expect(await chat(capped, 'gpt-9-turbo', undefined, CUT_ANSWER)).toBe(200);
    expect(await chat(capped, 'gpt-9-turbo', undefined, CUT_ANSWER)).toBe(200);

    // Once per model for the hard-capped key; the soft budget never refuses, so nothing escaped it.
    expect(unknownUsage().map((w) => w.msg)).toEqual([
      'calls of gpt-4o-mini on key unread have unknown usage (tokometer could not read or estimate it): they count $0 against its budget unread, so no cap holds them (/metrics counts each: tokometer_usage_unknown_calls_total); check what providers.openai.base_url answers: usually a gateway or other upstream answering 200 with a body that is not openai\'s JSON',
      'calls of gpt-9-turbo on key unread have unknown usage (tokometer could not read or estimate it): they count $0 against its budget unread, so no cap holds them (/metrics counts each: tokometer_usage_unknown_calls_total); check what providers.openai.base_url answers: usually a gateway or other upstream answering 200 with a body that is not openai\'s JSON',
    ]);
    expect(unknownUsage()[0]!.fields).toMatchObject({ key: 'unread', model: 'gpt-4o-mini', provider: 'openai', budget: 'unread' });
    expect(await metricLines('tokometer_usage_unknown_calls_total')).toEqual([
      'tokometer_usage_unknown_calls_total{provider="openai",model="gpt-4o-mini"} 3',
      'tokometer_usage_unknown_calls_total{provider="openai",model="gpt-9-turbo"} 2',
    ]);
    // The first test's 7 gpt-9-turbo calls, its 2 tagged ones, and the 1 here that was read.
    expect(await unpricedTotals()).toEqual([
      'tokometer_unpriced_calls_total{provider="openai",model="gpt-9-turbo"} 10',
      'tokometer_unpriced_calls_total{provider="openai",model="gpt-9-mini"} 2',
    ]);
  });
});
