import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, startFake, UPSTREAM_KEY } from '../budget/support.js';
import { KEY_WATCH_MS } from '../../src/proxy/auth.js';
import type { FakeUpstream } from '../support/fake-upstream.js';
import { stopProcess, type Build } from '../support/spawn-cli.js';
import { cliWorkspace } from './cli-workspace.js';

const TOKEN = 'cli-lane-admin-token';
/** How long a `keys` change from another process may take to reach serve: a few polls of the change token. */
const APPLIES_WITHIN_MS = 4 * KEY_WATCH_MS + 1000;

/** Polls `read` every 20 ms until `done` holds for its value; fails after APPLIES_WITHIN_MS. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const end = Date.now() + APPLIES_WITHIN_MS;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`${what} did not apply within ${APPLIES_WITHIN_MS} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * `tokometer serve` as a child process (Node build with better-sqlite3, and the Bun binary
 * with bun:sqlite), driven by `tokometer keys` from other processes on the same database.
 */
describe.each<Build>(['node', 'binary'])('budgets with the %s build', (build) => {
  let fake: FakeUpstream;
  const { db, config, cli, createKey, startServe } = cliWorkspace(build);
  let secret = '';

  beforeAll(async () => {
    fake = await startFake();
    writeFileSync(config, `providers:\n  openai: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\nadmin: { token: "${TOKEN}" }\nstore: { flush_interval_ms: 5 }\n`);
    secret = await createKey('capped', '--budget', '0.0005', '--period', 'day', '--tag', 'feature=summarizer');
  });
  afterAll(async () => {
    await fake.stop();
    db.cleanup();
  });

  const exhaust = async (url: string) => {
    for (let i = 0; i < 30; i++) {
      const r = await chat(`${url}/proxy/openai`, secret, { maxTokens: 400, content: `q${i}` });
      if (r.status === 429) return r;
      expect(r.status).toBe(200);
    }
    throw new Error('never refused');
  };

  it('blocks at the cap, follows CLI changes from another process, and keeps the block across a restart', async () => {
    let serve = await startServe();
    try {
      const blocked = await exhaust(serve.url);
      expect(blocked.json.error).toMatchObject({ code: 'budget_exceeded', budget: { name: 'capped', period: 'day' } });
      expect(blocked.headers.get('x-should-retry')).toBe('false');

      const cappedLimit = async () => {
        const res = await fetch(`${serve.url}/admin/budgets?name=capped`, { headers: { authorization: `Bearer ${TOKEN}` } });
        return ((await res.json()) as { budgets: Array<{ limit_usd: number }> }).budgets[0]?.limit_usd;
      };
      expect((await cli('keys', 'set', 'capped', '--budget', '1')).code).toBe(0);
      await eventually(cappedLimit, (limit) => limit === 1, 'the raised budget');
      expect((await chat(`${serve.url}/proxy/openai`, secret, { maxTokens: 400 })).status).toBe(200);
      expect((await cli('keys', 'set', 'capped', '--budget', '0.0002')).code).toBe(0);
      await eventually(cappedLimit, (limit) => limit === 0.0002, 'the lowered budget');
      expect((await chat(`${serve.url}/proxy/openai`, secret, { maxTokens: 400 })).status).toBe(429);

      expect(await stopProcess(serve.child)).toBe(0);
      serve = await startServe();
      const again = await chat(`${serve.url}/proxy/openai`, secret, { maxTokens: 400 });
      expect(again.status).toBe(429);
      expect(again.json.error.reset_at).toBe(blocked.json.error.reset_at);

      const budgets = await fetch(`${serve.url}/admin/budgets`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const capped = ((await budgets.json()) as { budgets: Array<Record<string, unknown>> }).budgets.find((b) => b.name === 'capped');
      expect(capped).toMatchObject({ kind: 'key', limit_usd: 0.0002, blocked: true, period: 'day' });

      expect((await cli('keys', 'revoke', 'capped')).code).toBe(0);
      // Until the revocation is noticed the key stays blocked (429), so polling spends nothing.
      const revoked = await eventually(() => chat(`${serve.url}/proxy/openai`, secret), (r) => r.status !== 429, 'the revocation');
      expect(revoked.status).toBe(401);
    } finally {
      await stopProcess(serve.child);
    }
  });

  it('`keys history` prints the audit trail', async () => {
    const text = await cli('keys', 'history', 'capped');
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    // Raising the spent cap to $1 re-armed its alert thresholds: the serving proxy records that (#18 point 7).
    expect(lines.map((l) => l.split(/\s+/).slice(1, 4).join(' '))).toEqual(['cli create capped', 'cli set capped', 'proxy alerts_rearmed capped', 'cli set capped', 'cli revoke capped']);
    expect(lines[2]).toContain('"thresholds":[0.5,0.8,1],"limit_usd":{"from":0.0005,"to":1}');
    expect(lines[0]).toContain('"budget":{"limit_usd":0.0005,"period":"day"');
    expect(lines[1]).toContain('"changes":{"budget":{"from":{"limit_usd":0.0005');

    const json = await cli('keys', 'history', '--json', '--limit', '2');
    expect(JSON.parse(json.stdout)).toMatchObject([
      { actor: 'cli', action: 'set', key: 'capped' },
      { actor: 'cli', action: 'revoke', key: 'capped', details: {} },
    ]);
    expect((await cli('keys', 'history', 'nobody')).stdout).toBe("No changes recorded for 'nobody'.\n");
    expect((await cli('keys', 'history', '--limit', 'x')).code).toBe(2);
  });
});
