import type { AdminUsage } from '../support/fake-admin-api.js';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import type { Batch } from './helpers.js';

/**
 * The OpenAI reconcile scenario (in-process and built-CLI tests share it): what goes
 * through the proxy, and what the fake admin API reports for the same days. Prices (USD
 * per 1M) from the catalog: gpt-4o in 2.50 / cached 1.25 / out 10; gpt-4.1 in 2 / out 8;
 * gpt-4o-mini in 0.15 / out 0.60; text-embedding-3-small in 0.02. Planted: 12 requests on
 * 2026-11-02 that never went through the proxy (+$0.672), cached tokens counted
 * differently on 2026-11-03 (-$0.075), output billed at $0.90 instead of $0.60 on
 * 2026-11-04 (+$0.048), and $0.25 of web search (outside the meter).
 */

export const ADMIN_KEY = 'sk-admin-openai-0123456789abcdefSECRET';

const chat = (id: string, day: string, n: number, model: string, answered: string, prompt: number, cached: number, completion: number): Batch => ({
  id, day, n, path: '/chat/completions',
  request: { model, messages: [{ role: 'user', content: 'hi' }] },
  response: {
    id: `chatcmpl-${id}`, object: 'chat.completion', created: 1, model: answered,
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: cached } },
  },
});

export const BATCHES: Batch[] = [
  // Matches: 5 × (10,000 in incl. 2,000 cached, 1,000 out) = 5 × $0.0325 = $0.1625.
  chat('a', '2026-11-01', 5, 'gpt-4o', 'gpt-4o-2024-08-06', 10_000, 2_000, 1_000),
  // Matches: 3 × 5,000 embedded tokens = $0.0003.
  {
    id: 'e', day: '2026-11-01', n: 3, path: '/embeddings',
    request: { model: 'text-embedding-3-small', input: 'hello' },
    response: { object: 'list', data: [{ object: 'embedding', index: 0, embedding: [0.1] }], model: 'text-embedding-3-small', usage: { prompt_tokens: 5_000, total_tokens: 5_000 } },
  },
  // Unmetered traffic: the meter sees 4 × (20,000 in, 2,000 out) = 4 × $0.056; the provider 16 such requests.
  chat('b', '2026-11-02', 4, 'gpt-4.1', 'gpt-4.1-2025-04-14', 20_000, 0, 2_000),
  // Token drift: metered 10 × (40,000 in incl. 10,000 cached, 500 out) = $0.925; the provider counts 16,000 cached per call.
  chat('c', '2026-11-03', 10, 'gpt-4o', 'gpt-4o-2024-08-06', 40_000, 10_000, 500),
  // Price drift: 8 × (100,000 in, 20,000 out) = $0.216 metered; the provider bills output at $0.90 instead of $0.60.
  chat('d', '2026-11-04', 8, 'gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 100_000, 0, 20_000),
];

export const ADMIN_USAGE: AdminUsage[] = [
  { day: '2026-11-01', model: 'gpt-4o-2024-08-06', requests: 5, uncached: 40_000, cached: 10_000, output: 5_000, cost: { input: 0.1, cached_input: 0.0125, output: 0.05 } },
  { day: '2026-11-01', model: 'text-embedding-3-small', requests: 3, uncached: 15_000, output: 0, cost: { input: 0.0003 }, embeddings: true },
  { day: '2026-11-02', model: 'gpt-4.1-2025-04-14', requests: 16, uncached: 320_000, output: 32_000, cost: { input: 0.64, output: 0.256 } },
  { day: '2026-11-03', model: 'gpt-4o-2024-08-06', requests: 10, uncached: 240_000, cached: 160_000, output: 5_000, cost: { input: 0.6, cached_input: 0.2, output: 0.05 } },
  { day: '2026-11-04', model: 'gpt-4o-mini-2024-07-18', requests: 8, uncached: 800_000, output: 160_000, cost: { input: 0.12, output: 0.144 } },
];

export function upstreamReply(req: ReceivedRequest): Reply | undefined {
  const id = (req.json as { user?: string } | undefined)?.user;
  const batch = BATCHES.find((b) => b.id === id && req.url === b.path);
  return batch ? { body: JSON.stringify(batch.response) } : undefined;
}

/** The $0.25 of web search on 2026-11-02 the meter cannot see. */
export const OTHER_COSTS = [{ day: '2026-11-02', label: 'web search tool calls', usd: 0.25 }];
