import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfigText } from '../../src/config/load.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { startProxy, type RunningProxy, type StartProxyOptions } from '../../src/proxy/start.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { KeyBudget, SqlDriver } from '../../src/store/types.js';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { testProxyOptions, UPSTREAM_KEY } from '../support/proxy-harness.js';

export { UPSTREAM_KEY };

/** gpt-4o-mini per token, nano-USD: input $0.15/1M, output $0.60/1M. */
export const MINI_IN_NANO = 150;
export const MINI_OUT_NANO = 600;

/** Real usage the fake reports for a request body: never more than the proxy's estimate assumes. */
export function usageFor(req: ReceivedRequest): { prompt: number; completion: number } {
  const body = req.json as { max_tokens?: number; messages?: Array<{ content: string }> };
  // The proxy estimates bytes / 4 of the body it received (the upstream body may carry an injected stream_options).
  const prompt = Math.floor(req.body.length / 6);
  const cap = body.max_tokens ?? 1024;
  // Deterministic per body, spread over [1, cap]: different calls cost different amounts.
  let h = 0;
  for (const ch of req.body) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return { prompt, completion: 1 + (h % cap) };
}

/** Cost of `usageFor` at gpt-4o-mini prices, nano-USD (no cached tokens). */
export const miniCost = (u: { prompt: number; completion: number }) => u.prompt * MINI_IN_NANO + u.completion * MINI_OUT_NANO;

const usageJson = (u: { prompt: number; completion: number }) => ({ prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion });

/** Chat replies (JSON, or SSE with the usage chunk when asked), each sent in a few delayed pieces so calls overlap. */
export function chatReply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/chat/completions') return undefined;
  const body = req.json as { stream?: boolean; stream_options?: { include_usage?: boolean } };
  const u = usageFor(req);
  const base = { id: 'chatcmpl-budget', created: 1767225600, model: 'gpt-4o-mini-2024-07-18' };
  if (!body.stream) {
    const json = JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: usageJson(u) });
    const mid = Math.floor(json.length / 2);
    return { body: [json.slice(0, mid), json.slice(mid)], delayMs: 3 };
  }
  const chunk = (extra: object) => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...extra })}\n\n`;
  const frames = [
    chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'o' }, finish_reason: null }] }),
    chunk({ choices: [{ index: 0, delta: { content: 'k' }, finish_reason: 'stop' }] }),
  ];
  if (body.stream_options?.include_usage) frames.push(chunk({ choices: [], usage: usageJson(u) }));
  frames.push('data: [DONE]\n\n');
  return { headers: { 'content-type': 'text/event-stream' }, body: frames, delayMs: 2 };
}

export function keyBudget(limitUsd: number, extra: Partial<KeyBudget> = {}): KeyBudget {
  return { limitNano: Math.round(limitUsd * 1e9), period: 'month', alertAt: [], soft: false, ...extra };
}

/** A fresh temp folder with a database path; `cleanup` removes it. */
export function tempDb(): { dir: string; dbPath: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-budget-'));
  return { dir, dbPath: path.join(dir, 'test.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface BudgetProxy {
  proxy: RunningProxy;
  /** The proxy's own connection, for checking rows with SQL. */
  driver: SqlDriver;
  baseUrl: string;
  stop(): Promise<void>;
}

/** The config of the budget tests' proxies: `provider` (default OpenAI) at `fake`, records written every 5 ms, then `yaml`. */
export function budgetTestConfigText(fake: FakeUpstream, yaml = '', provider = 'openai'): string {
  return `providers:\n  ${provider}: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5 }\n${yaml}`;
}

/**
 * A real proxy (Node edges, better-sqlite3) on `dbPath` in front of `fake`, with budgets
 * and admin wired by startProxy's defaults. Start it again on the same file to test restarts.
 * `yaml` is appended to the providers section; `provider` names the one provider (default `openai`).
 */
export async function startBudgetProxy(o: { dbPath: string; fake: FakeUpstream; yaml?: string; provider?: string; overrides?: Partial<StartProxyOptions> }): Promise<BudgetProxy> {
  const provider = o.provider ?? 'openai';
  const config = parseConfigText(budgetTestConfigText(o.fake, o.yaml, provider), { file: 'budget-test.yaml', env: {} });
  const driver = openDriver(o.dbPath);
  const proxy = await startProxy({ ...testProxyOptions(config, driver), ...o.overrides });
  return { proxy, driver, baseUrl: `${proxy.url}/proxy/${provider}`, stop: () => proxy.stop(1000) };
}

/** Stores a key (optionally with tags and a budget), reloads the proxy's keys and returns the secret. */
export async function addKey(proxy: RunningProxy, name: string, options: { tags?: Record<string, string>; budget?: KeyBudget } = {}): Promise<string> {
  const secret = newMeteringKey();
  await proxy.store.keys.create({ name, prefix: keyPrefix(secret), hash: hashSecret(secret), tags: options.tags ?? {}, budget: options.budget ?? null, createdAt: Date.now() });
  await proxy.keys.reload();
  return secret;
}

/** POSTs one chat completion with fetch; returns status, parsed body and headers. */
export async function chat(baseUrl: string, secret: string, options: { tags?: Record<string, string>; content?: string; maxTokens?: number } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
  if (options.tags) headers['x-metering-tags'] = JSON.stringify(options.tags);
  const body: Record<string, unknown> = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: options.content ?? 'hello' }] };
  if (options.maxTokens !== undefined) body.max_tokens = options.maxTokens;
  const res = await fetch(`${baseUrl}/chat/completions`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: JSON.parse(text) as Record<string, any> };
}

/**
 * POSTs a multipart form (an audio transcription: text fields and files, appended in the
 * order given) with fetch; returns the status once the answer is read.
 */
export async function postForm(url: string, secret: string, parts: ReadonlyArray<readonly [string, string | File]>): Promise<number> {
  const form = new FormData();
  for (const [name, value] of parts) form.append(name, value);
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: form });
  await res.text();
  return res.status;
}

export async function startFake(): Promise<FakeUpstream> {
  return new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: chatReply }).start();
}
