import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream.js';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { startForSuite } from '../support/suite-resource.js';
import { startBunProxy } from './bun-driver.js';
import { chatHead, openRaw } from './raw-client.js';

/**
 * A production-sized keep-alive on the Bun edge (src/server/bun.ts switches a call's idle
 * timer off while it runs): a provider that goes quiet for longer than the keep-alive
 * must still be waited for; uWebSockets would otherwise cut the client 4–8 s into the
 * silence.
 */

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const KEEP_ALIVE_MS = 8000;
const QUIET_MS = 10_000;

const target = startForSuite(async () => {
  const fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: () => ({ body: [CHAT], delayMs: QUIET_MS }) }).start();
  return startBunProxy(fake, { keepAliveTimeoutMs: KEEP_ALIVE_MS });
});

it('a provider silent for longer than the keep-alive is waited for on the Bun edge', { timeout: 30_000 }, async () => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [] });
  const conn = await openRaw(target().port);
  const started = performance.now();
  conn.write(chatHead(target().secret, body.length) + body);
  while (!/\r\n0\r\n\r\n$/.test(conn.received())) {
    if (performance.now() - started > QUIET_MS + 5000) throw new Error(`no full answer; got ${JSON.stringify(conn.received().slice(0, 200))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(performance.now() - started).toBeGreaterThanOrEqual(QUIET_MS - 100);
  expect(conn.received()).toMatch(/^HTTP\/1\.1 200 /);
  expect(conn.received()).toContain(CHAT.trim().slice(-20));
});
