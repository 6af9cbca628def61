import { createServer, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertNotifier } from '../../src/budget/alerts.js';
import type { AlertEvent } from '../../src/budget/types.js';
import { fetchPostJson } from '../../src/budget/webhook.js';

const PASSWORD = 'hook-pass-3f9a1c';

const periodStart = Date.parse('2026-11-01T00:00:00Z');
const EVENT: AlertEvent = {
  id: `key:summarizer:0.8:${periodStart}`,
  name: 'summarizer',
  kind: 'key',
  tagValue: null,
  threshold: 0.8,
  limitNano: 500e9,
  spentNano: 400e9,
  period: 'month',
  periodStart,
  armedFrom: periodStart,
  resetAt: Date.parse('2026-12-01T00:00:00Z'),
  soft: false,
  at: Date.parse('2026-11-20T12:00:00Z'),
};

/**
 * `alerts.webhook_url` is a secret (config check never prints it). A webhook URL with
 * basic-auth credentials (`https://user:pass@host/hook`, which the config accepts) must
 * neither leak its password into the log nor fail to be delivered.
 */
describe('alert webhook URL with credentials', () => {
  const received: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    received.push(req);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('never writes the webhook password into the log', async () => {
    const logs: string[] = [];
    const n = new AlertNotifier({ log: (l) => logs.push(l), webhookUrl: `http://alerts:${PASSWORD}@127.0.0.1:${port}/hook`, post: fetchPostJson, maxAttempts: 1, sleep: async () => {} });
    n.notify(EVENT);
    await n.idle();
    for (const line of logs) expect(line).not.toContain(PASSWORD);
  });

  it('delivers the alert, sending the credentials as basic auth', async () => {
    received.length = 0;
    const n = new AlertNotifier({ log: () => {}, webhookUrl: `http://alerts:${PASSWORD}@127.0.0.1:${port}/hook`, post: fetchPostJson, maxAttempts: 1, sleep: async () => {} });
    n.notify(EVENT);
    await n.idle();
    expect(received).toHaveLength(1);
    expect(received[0]?.headers.authorization).toBe(`Basic ${Buffer.from(`alerts:${PASSWORD}`).toString('base64')}`);
  });
});
