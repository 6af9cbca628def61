import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxySuite } from './proxy-suite.js';
import { addKey, chat, keyBudget } from './support.js';

/** A webhook receiver that is down: 503 to every POST. */
async function deadWebhook() {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posts++;
      res.writeHead(503).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { posts: () => posts, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/**
 * A SIGTERM while an alert's webhook delivery is still being retried: `stop` waits for it
 * at most 2 s, then the process ends. The alert is already stored as fired, so a restart
 * never sends it again: if the shutdown does not say so, nobody is ever told that the
 * page was not delivered.
 */
describe('an alert whose webhook is still being retried at shutdown', () => {
  let hook: Awaited<ReturnType<typeof deadWebhook>>;
  beforeAll(async () => {
    hook = await deadWebhook();
  });
  afterAll(async () => {
    await hook.stop();
  });
  // Registered after the webhook's hooks, so its teardown (the proxy, if the case did not stop it) runs before the webhook stops.
  const suite = proxySuite();

  it('is named in the log as not delivered', async () => {
    const lines: string[] = [];
    const log = { info: () => {}, warn: (msg: string) => lines.push(msg), error: (msg: string) => lines.push(msg) };
    const p = await suite.start({ yaml: `alerts: { webhook_url: "${hook.url}" }\n`, overrides: { log, alerts: { baseDelayMs: 60_000 } } });
    const secret = await addKey(p.proxy, 'paged', { budget: keyBudget(0.001, { alertAt: [0.5] }) });
    for (let i = 0; i < 40 && p.proxy.budgets!.recentAlerts().length === 0; i++) await chat(p.baseUrl, secret, { maxTokens: 400, content: `q${i}` });
    const [alert] = p.proxy.budgets!.recentAlerts();
    expect(alert).toBeDefined();
    // The first POST was answered 503; the retry waits 60 s.
    for (let i = 0; i < 100 && hook.posts() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(hook.posts()).toBe(1);
    await p.stop();
    expect(lines.filter((l) => l.includes(alert!.id) && l.includes('webhook'))).toHaveLength(1);
  }, 20_000);
});
