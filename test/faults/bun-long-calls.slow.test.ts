import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeUpstream } from '../support/fake-upstream.js';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { listening, spawnBunProxy } from './bun-driver.js';
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

let fake: FakeUpstream;
let dir: string;
let child: ReturnType<typeof spawnBunProxy>;
let target: { url: string; secret: string };

beforeAll(async () => {
  fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: () => ({ body: [CHAT], delayMs: QUIET_MS }) }).start();
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-long-'));
  const config = path.join(dir, 'test.yaml');
  writeFileSync(config, `providers:\n  openai: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\n`);
  child = spawnBunProxy(config, path.join(dir, 'test.db'), { keepAliveTimeoutMs: KEEP_ALIVE_MS });
  target = await listening(child);
});

afterAll(async () => {
  child?.kill('SIGTERM');
  if (child) await new Promise((r) => child.once('exit', r));
  await fake?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('a provider silent for longer than the keep-alive is waited for on the Bun edge', { timeout: 30_000 }, async () => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [] });
  const conn = await openRaw(Number(new URL(target.url).port));
  const started = performance.now();
  conn.write(chatHead(target.secret, body.length) + body);
  while (!/\r\n0\r\n\r\n$/.test(conn.received())) {
    if (performance.now() - started > QUIET_MS + 5000) throw new Error(`no full answer; got ${JSON.stringify(conn.received().slice(0, 200))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(performance.now() - started).toBeGreaterThanOrEqual(QUIET_MS - 100);
  expect(conn.received()).toMatch(/^HTTP\/1\.1 200 /);
  expect(conn.received()).toContain(CHAT.trim().slice(-20));
});
