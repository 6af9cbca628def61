import { afterEach, describe, expect, it } from 'vitest';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';
import { capTestKey, postAsTestKey, spendOfConcurrent } from './concurrent-spend.js';

describe('a key budget under concurrent calls that ask for several answers (n)', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('holds the cap to within one call: every answer is in the estimate (20 calls of n=8 spent 7× the cap)', async () => {
    const N = 8;
    const MAX = 100;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // The provider honours max_tokens per choice: n choices bill up to n * max_tokens output tokens.
    const reply = (req: ReceivedRequest): Reply => {
      const body = req.json as { n?: number; max_tokens?: number };
      const completion = (body.n ?? 1) * (body.max_tokens ?? 16);
      const json = JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [],
        usage: { prompt_tokens: 10, completion_tokens: completion, total_tokens: 10 + completion },
      });
      return { body: [json.slice(0, 5), json.slice(5)], hold: gate };
    };
    h = await startHarness({ upstream: { reply } });
    const LIMIT = 1_000_000; // $0.001
    await capTestKey(h, LIMIT);
    const send = () =>
      postAsTestKey(h!, '/chat/completions', { model: 'gpt-4o-mini', n: N, max_tokens: MAX, messages: [{ role: 'user', content: 'hi' }] }).then((r) => r.text());
    const { costs } = await spendOfConcurrent(h, 20, send, release);
    const total = costs.reduce((a, b) => a + b, 0);
    const largest = Math.max(...costs);
    // SPEC §5: parallel calls cannot overshoot a cap by more than one call's real cost.
    expect(total).toBeLessThanOrEqual(LIMIT + largest);
  });

  /**
   * 20 concurrent Responses calls, each running `searches` built-in tool calls of `item`'s
   * kind that its `max_tool_calls` allows, held until all are admitted; returns each call's cost.
   */
  async function concurrentSearchCalls(o: { item: Record<string, unknown>; searches: number; tool: Record<string, unknown>; limitNano: number }): Promise<number[]> {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const json = JSON.stringify({
      id: 'resp_1',
      object: 'response',
      model: 'gpt-4o-mini-2024-07-18',
      output: Array.from({ length: o.searches }, (_, i) => ({ ...o.item, id: `tool_${i}` })),
      usage: { input_tokens: 10, output_tokens: 20, total_tokens: 30 },
    });
    h = await startHarness({ upstream: { reply: () => ({ body: json, hold: gate }) } });
    await capTestKey(h, o.limitNano);
    const send = () =>
      postAsTestKey(h!, '/responses', { model: 'gpt-4o-mini', input: 'hi', tools: [o.tool], max_tool_calls: o.searches, max_output_tokens: 100 }).then((r) => r.text());
    return (await spendOfConcurrent(h, 20, send, release)).costs;
  }

  it('holds the cap to within one call when each call runs the web searches it allows (max_tool_calls), billed per search', async () => {
    const LIMIT = 50_000_000; // $0.05: one call's searches alone cost $0.03
    const costs = await concurrentSearchCalls({ item: { type: 'web_search_call', status: 'completed', action: { type: 'search', query: 'q' } }, searches: 3, tool: { type: 'web_search' }, limitNano: LIMIT });
    // Each call: 3 searches × $0.01 + 10 in × 150 + 20 out × 600 nano = 30,013,500 nano.
    expect(new Set(costs)).toEqual(new Set([30_013_500]));
    expect(costs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(LIMIT + 30_013_500);
  });

  it('holds the cap to within one call when each call runs the file searches it allows (max_tool_calls), billed per tool call', async () => {
    const LIMIT = 20_000_000; // $0.02: one call's file searches alone cost $0.01
    const item = { type: 'file_search_call', status: 'completed', queries: ['q1', 'q2'], results: null };
    const costs = await concurrentSearchCalls({ item, searches: 4, tool: { type: 'file_search', vector_store_ids: ['vs_1'] }, limitNano: LIMIT });
    // Each call: 4 file searches × $0.0025 + 10 in × 150 + 20 out × 600 nano = 10,013,500 nano.
    expect(new Set(costs)).toEqual(new Set([10_013_500]));
    expect(costs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(LIMIT + 10_013_500);
  });
});
