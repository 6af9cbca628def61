import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForUpdate, type Provider } from '@pydantic/genai-prices';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { SqlDriver } from '../../src/store/types.js';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';

/**
 * Catalog files in the published format (genai-prices `data.json`: constraints without
 * `type`, descriptions and extractors kept), a loopback server for them, and an upstream
 * that answers every chat call with the model it was asked for and fixed usage.
 */

/** The pinned library's data as the published JSON has it. */
export async function publishedCatalog(): Promise<Provider[]> {
  const data = JSON.parse(JSON.stringify(await waitForUpdate())) as Provider[];
  for (const p of data) {
    for (const m of p.models) {
      if (!Array.isArray(m.prices)) continue;
      for (const v of m.prices) if (v.constraint) delete (v.constraint as { type?: string }).type;
    }
  }
  return data;
}

export function provider(data: Provider[], id: string): Provider {
  return data.find((p) => p.id === id)!;
}

/** Serves `files` (path → text) on 127.0.0.1; counts requests per path. */
export async function serveFiles(files: Record<string, string>): Promise<{ url: string; hits: Record<string, number>; stop(): Promise<void> }> {
  const hits: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    const body = files[path];
    if (body === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, hits, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Usage every answer reports. */
export const PROMPT = 1000;
export const COMPLETION = 100;

/** Answers POST /chat/completions with the requested model and PROMPT / COMPLETION tokens. */
export function echoModelReply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/chat/completions') return undefined;
  const model = (req.json as { model: string }).model;
  const usage = { prompt_tokens: PROMPT, completion_tokens: COMPLETION, total_tokens: PROMPT + COMPLETION };
  return { body: JSON.stringify({ id: 'chatcmpl-prices', object: 'chat.completion', created: 1767225600, model, choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage }) };
}

export function startEchoUpstream(): Promise<FakeUpstream> {
  return new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: echoModelReply }).start();
}

/** One chat call through the proxy; returns the HTTP status. */
export async function chatCall(proxyUrl: string, secret: string, model: string, tags: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${proxyUrl}/proxy/openai/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'x-metering-tags': JSON.stringify(tags) },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  await res.text();
  return res.status;
}

/** Opens the database read-only for checks; close it after. */
export function readDb(path: string): SqlDriver {
  return openDriver(path, { readonly: true });
}

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
