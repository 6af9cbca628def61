import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/start.js';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { addKey, keyBudget, startBudgetProxy, tempDb } from './support.js';

/**
 * A model with no price settles $0 against the budgets its calls count against
 * (docs/prices.md): on a hard budget that is no limit at all. The admission rule stays;
 * serve says it once per (key, model) and counts unpriced calls on /metrics.
 */

/** Chat answers naming the model asked for, 20 tokens in and 5 out. */
function chatAnswer(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/chat/completions') return undefined;
  const model = (req.json as { model: string }).model;
  const usage = { prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 };
  return { body: JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion', created: 1767225600, model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage }) };
}

describe('unpriced calls on a hard budget', () => {
  let fake: FakeUpstream;
  let proxy: RunningProxy;
  let baseUrl: string;
  const folder = tempDb();
  const warnings: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  const log = { info: () => {}, error: () => {}, warn: (msg: string, fields?: Record<string, unknown>) => void warnings.push({ msg, fields }) };

  beforeAll(async () => {
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: chatAnswer }).start();
    ({ proxy, baseUrl } = await startBudgetProxy({ dbPath: folder.dbPath, fake, yaml: 'budgets:\n  - { name: team-a-daily, match: { team: a }, limit_usd: 0.001, period: day }\n', overrides: { log } }));
  });
  afterAll(async () => {
    await proxy?.stop(1000);
    await fake?.stop();
    folder.cleanup();
  });

  const chat = async (secret: string, model: string, tags?: Record<string, string>) => {
    const res = await fetch(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...(tags ? { 'x-metering-tags': JSON.stringify(tags) } : {}) },
      body: JSON.stringify({ model, max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    return res.status;
  };
  const noPrice = () => warnings.filter((w) => w.msg.includes('have no price'));
  const unpricedTotals = async () => {
    const text = await (await fetch(`${proxy.url}/metrics`)).text();
    return text.split('\n').filter((l) => l.startsWith('tokometer_unpriced_calls_total'));
  };

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
});
