import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/start.js';
import type { SqlDriver } from '../../src/store/types.js';
import { FakeUpstream, type FakeUpstreamOptions, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY, waitFor } from '../support/proxy-harness.js';
import { addKey, keyBudget, startBudgetProxy, tempDb } from './support.js';

/**
 * A 200 JSON answer without usage is billed all the same: the new-user trial's key with a
 * $0.001 cap made 8 calls (`max_tokens` 4,000) answered with ~10,800 characters and no
 * `usage`, each recorded `estimated` with 0 output tokens, and the budget never stopped it.
 * Now its output is estimated from the text it generated, at 4 characters a token (the rule
 * that estimates the request's input: providers/estimate.ts), and settled against the budget.
 *
 * Each answer below generates 'word ' × 2,160 = 10,800 characters: ceil(10,800 / 4) = 2,700
 * output tokens. Each request body is read at 4 characters a token too.
 * Prices, nano-USD per token (pinned catalog): gpt-4o-mini 150 in / 600 out,
 * claude-haiku-4-5 1,000 / 5,000, gemini-2.5-flash 300 / 2,500.
 */

const TEXT = 'word '.repeat(2160);
const NOTE = "usage estimated from the answer's text: the answer carried no usage, so its output is counted from the 10800 characters it generated (4 characters per token: 2700 tokens), its input from the request";

interface Case {
  provider: 'openai' | 'anthropic' | 'gemini';
  authHeader: FakeUpstreamOptions['authHeader'];
  /** The path after /proxy/<provider>, and the one the fake is asked. */
  path: string;
  headers: (secret: string) => Record<string, string>;
  body: object;
  answer: object;
  inputTokens: number;
  costNano: number;
}

const CASES: Case[] = [
  {
    // {"model":"gpt-4o-mini","max_tokens":4000,"messages":[{"role":"user","content":"Write a long story."}]}: 102 characters, 26 tokens.
    // 26 × 150 + 2,700 × 600 = 3,900 + 1,620,000 = 1,623,900.
    provider: 'openai',
    authHeader: 'authorization',
    path: '/chat/completions',
    headers: (secret) => ({ authorization: `Bearer ${secret}` }),
    body: { model: 'gpt-4o-mini', max_tokens: 4000, messages: [{ role: 'user', content: 'Write a long story.' }] },
    answer: { id: 'chatcmpl-1', object: 'chat.completion', created: 1767225600, model: 'gpt-4o-mini-2024-07-18', choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'length' }] },
    inputTokens: 26,
    costNano: 1_623_900,
  },
  {
    // {"model":"claude-haiku-4-5","max_tokens":4000,"messages":[…the same…]}: 107 characters, 27 tokens.
    // 27 × 1,000 + 2,700 × 5,000 = 27,000 + 13,500,000 = 13,527,000.
    provider: 'anthropic',
    authHeader: 'x-api-key',
    path: '/v1/messages',
    headers: (secret) => ({ 'x-api-key': secret, 'anthropic-version': '2023-06-01' }),
    body: { model: 'claude-haiku-4-5', max_tokens: 4000, messages: [{ role: 'user', content: 'Write a long story.' }] },
    answer: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [{ type: 'text', text: TEXT }], stop_reason: 'end_turn', stop_sequence: null },
    inputTokens: 27,
    costNano: 13_527_000,
  },
  {
    // {"contents":[{"role":"user","parts":[{"text":"Write a long story."}]}],"generationConfig":{"maxOutputTokens":4000}}: 115 characters, 29 tokens.
    // 29 × 300 + 2,700 × 2,500 = 8,700 + 6,750,000 = 6,758,700.
    provider: 'gemini',
    authHeader: 'x-goog-api-key',
    path: '/v1beta/models/gemini-2.5-flash:generateContent',
    headers: (secret) => ({ 'x-goog-api-key': secret }),
    body: { contents: [{ role: 'user', parts: [{ text: 'Write a long story.' }] }], generationConfig: { maxOutputTokens: 4000 } },
    answer: { candidates: [{ content: { parts: [{ text: TEXT }], role: 'model' }, finishReason: 'STOP', index: 0 }], modelVersion: 'gemini-2.5-flash' },
    inputTokens: 29,
    costNano: 6_758_700,
  },
];

for (const c of CASES) {
  describe(`a ${c.provider} JSON answer without usage, on a key with $0.001 to spend`, () => {
    let fake: FakeUpstream;
    let proxy: RunningProxy;
    let driver: SqlDriver;
    const folder = tempDb();
    beforeAll(async () => {
      const reply = (req: ReceivedRequest): Reply | undefined => (req.url === c.path ? { body: JSON.stringify(c.answer) } : undefined);
      fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, authHeader: c.authHeader, reply }).start();
      ({ proxy, driver } = await startBudgetProxy({ dbPath: folder.dbPath, fake, provider: c.provider }));
    });
    afterAll(async () => {
      await proxy?.stop(1000);
      await fake?.stop();
      folder.cleanup();
    });

    const call = async (secret: string) => {
      const res = await fetch(`${proxy.url}/proxy/${c.provider}${c.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...c.headers(secret) }, body: JSON.stringify(c.body) });
      await res.text();
      return res.status;
    };

    // Before: 0 output tokens, the prompt alone (a few thousand nano-USD): the key went on.
    it(`is recorded estimated at 2,700 output tokens, ${c.costNano} nano-USD, and the next call is refused`, async () => {
      const secret = await addKey(proxy, 'trial', { budget: keyBudget(0.001) });
      expect(await call(secret)).toBe(200);
      type Row = { usage_source: string; input_tokens: number; output_tokens: number; cost_nano: number | null; error: string | null };
      let row: Row | undefined;
      await waitFor(() => (row = driver.prepare("SELECT * FROM calls WHERE key_name = 'trial'").get<Row>()) !== undefined, 5000, 'the call row');
      expect.soft(row).toMatchObject({ usage_source: 'estimated', input_tokens: c.inputTokens, output_tokens: 2700, cost_nano: c.costNano });
      expect.soft(row?.error).toBe(NOTE);
      expect(await call(secret)).toBe(429);
    });
  });
}
