import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { createTestDatabase, dropTestDatabase } from '../support/pg.js';
import { expectSpentCapRefusals } from '../support/sdk-refusals.js';
import { runCli, startServe, stopProcess } from '../support/spawn-cli.js';

const UPSTREAM_KEY = 'sk-replicas-upstream-00000000000';
const TOKEN = 'replicas-admin-token';
const CAP_NANO = 2_000_000;
/** gpt-4o: 60 prompt tokens × $2.50/M + 30 output tokens × $10/M = $0.00045 per call. */
const CALL_NANO = 450_000;
const USAGE = { prompt_tokens: 60, completion_tokens: 30, total_tokens: 90 };

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/chat/completions') return undefined;
  const body = req.json as { stream?: boolean; stream_options?: { include_usage?: boolean } };
  const base = { id: 'chatcmpl-replicas', created: 1767225600, model: 'gpt-4o-2024-08-06' };
  if (!body.stream) {
    return { body: JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: USAGE }), delayMs: 5 };
  }
  const chunk = (extra: object) => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...extra })}\n\n`;
  const frames = [chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] })];
  if (body.stream_options?.include_usage) frames.push(chunk({ choices: [], usage: USAGE }));
  frames.push('data: [DONE]\n\n');
  return { headers: { 'content-type': 'text/event-stream' }, body: frames, delayMs: 5 };
}

type Serve = Awaited<ReturnType<typeof startServe>>;
type Outcome = { ok: true } | { ok: false; error: unknown };

/**
 * Issue #16 points 3 and 4 on the compiled binary: three `serve` replicas on one
 * PostgreSQL share keys live and budgets exactly.
 */
describe('three replicas on one PostgreSQL (compiled binary)', () => {
  const adminUrl = inject('pgUrl');
  const env = { UPSTREAM_KEY };
  let dir: string;
  let fake: FakeUpstream;
  let url: string;
  let replicas: Serve[] = [];
  let sql: postgres.Sql;
  const cli = (args: string[]) => runCli('binary', [...args, '--config', path.join(dir, 'tokometer.yaml')], { cwd: dir, env });
  const secretOf = (stdout: string) => /mk_[0-9A-Za-z]{32}/.exec(stdout)![0];
  const budgetOn = async (serve: Serve, name: string) => {
    const res = await fetch(`${serve.url}/admin/budgets?name=${name}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await res.json()) as { budgets: Array<Record<string, number | string | boolean>> }).budgets[0];
  };
  const chat = (serve: Serve, secret: string) =>
    fetch(`${serve.url}/proxy/openai/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', max_tokens: 30, messages: [{ role: 'user', content: 'hello' }] }),
    });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-replicas-'));
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply }).start();
    url = await createTestDatabase(adminUrl, 'replicas');
    sql = postgres(url, { max: 1, onnotice: () => {} });
    writeFileSync(
      path.join(dir, 'tokometer.yaml'),
      `db: ${url}\nproviders:\n  openai: { base_url: "${fake.url}", api_key: "\${UPSTREAM_KEY}" }\nadmin: { token: "${TOKEN}" }\nstore: { flush_interval_ms: 20 }\n`,
    );
    expect((await cli(['keys', 'create', 'warmup'])).code).toBe(0);
    replicas = [];
    for (const name of ['a', 'b', 'c']) replicas.push(await startServe('binary', ['--config', path.join(dir, 'tokometer.yaml'), '--port', '0', '--spill', path.join(dir, `${name}.spill`)], { cwd: dir, env }));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => stopProcess(r.child)));
    await sql.end({ timeout: 5 });
    await fake.stop();
    await dropTestDatabase(adminUrl, url);
    rmSync(dir, { recursive: true, force: true });
  });

  it('60 concurrent SDK calls over three replicas against a $0.002 cap: spend within one call of the cap, every refusal for a spent cap', async () => {
    const created = await cli(['keys', 'create', 'capped', '--budget', '0.002', '--period', 'month']);
    expect(created.code, created.stderr).toBe(0);
    const secret = secretOf(created.stdout);
    // Every replica has the new key (announced by NOTIFY) before the calls start.
    await untilEvery(async (r) => (await budgetOn(r, 'capped')) !== undefined);
    const clients = replicas.map((r) => new OpenAI({ apiKey: secret, baseURL: `${r.url}/proxy/openai` }));
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, async (_, i): Promise<Outcome> => {
        const client = clients[i % 3]!;
        const messages = [{ role: 'user' as const, content: `call ${i}: `.padEnd(300, 'x') }];
        try {
          if (i % 2 === 0) await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 30 });
          else for await (const chunk of await client.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 30, stream: true })) void chunk;
          return { ok: true };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
    expect(fake.problems).toEqual([]);
    const served = outcomes.filter((o) => o.ok).length;
    const refused = outcomes.filter((o): o is { ok: false; error: unknown } => !o.ok);
    expect(refused.length).toBeGreaterThan(0);
    expectSpentCapRefusals(refused.map((r) => r.error));
    // The stored calls: one request per SDK call (nothing retried), the served ones at their cost.
    let rows: Array<{ outcome: string; status: number; cost_nano: number | null }> = [];
    for (let i = 0; i < 100 && rows.length < 60; i++) {
      rows = await sql<Array<{ outcome: string; status: number; cost_nano: number | null }>>`SELECT outcome, status, cost_nano::float8 AS cost_nano FROM calls WHERE key_name = 'capped'`;
      if (rows.length < 60) await sleep(50);
    }
    expect(rows).toHaveLength(60);
    const ok = rows.filter((r) => r.outcome === 'ok');
    expect(ok).toHaveLength(served);
    expect(ok.every((r) => r.cost_nano === CALL_NANO)).toBe(true);
    expect(rows.filter((r) => r.outcome !== 'ok').every((r) => r.outcome === 'refused' && r.status === 429)).toBe(true);
    const spent = served * CALL_NANO;
    expect(spent).toBeGreaterThanOrEqual(CAP_NANO - CALL_NANO);
    expect(spent).toBeLessThanOrEqual(CAP_NANO + CALL_NANO);
    // Every replica sees the cap spent (each call it refused was refused for it).
    await untilEvery(async (r) => (await budgetOn(r, 'capped'))?.blocked === true);
    console.log(`replicas: ${served} of 60 served over three replicas, spend $${spent / 1e9} against a $0.002 cap, ${refused.length} refused for the spent cap`);
  }, 60_000);

  it('a budget raised with `keys set` applies on every replica within 1.5 s', async () => {
    const raised = await cli(['keys', 'set', 'capped', '--budget', '0.004']);
    expect(raised.code, raised.stderr).toBe(0);
    const at = performance.now();
    await untilEvery(async (r) => {
      const b = await budgetOn(r, 'capped');
      return b?.limit_usd === 0.004 && b.blocked === false;
    }, 1500);
    console.log(`replicas: raised budget applied on all three within ${(performance.now() - at).toFixed(0)} ms`);
  });

  it('a key revoked through replica A is refused by replica C within 1.5 s', async () => {
    const secret = secretOf((await cli(['keys', 'create', 'doomed'])).stdout);
    await untilEvery(async (r) => (await chat(r, secret)).status === 200);
    const revoked = await fetch(`${replicas[0]!.url}/admin/keys/doomed`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(revoked.status).toBe(200);
    const at = performance.now();
    await until(async () => (await chat(replicas[2]!, secret)).status === 401, 1500);
    console.log(`replicas: revocation through A refused by C after ${(performance.now() - at).toFixed(0)} ms`);
  });

  it('kill -9 of one replica under load: the others serve without an error, and its lease is back within TTL + heartbeat', async () => {
    const secret = secretOf((await cli(['keys', 'create', 'loaded', '--budget', '100'])).stdout);
    await untilEvery(async (r) => (await chat(r, secret)).status === 200);
    const failures: string[] = [];
    let stop = false;
    let served = 0;
    const worker = (target: Serve, counts: boolean) => async () => {
      while (!stop) {
        try {
          const res = await chat(target, secret);
          await res.arrayBuffer();
          if (res.status === 200) served++;
          else if (counts) failures.push(`HTTP ${res.status}`);
        } catch (error) {
          if (counts) failures.push(String(error));
          else return;
        }
      }
    };
    const [a, b, c] = replicas;
    const workers = [...Array.from({ length: 3 }, worker(a!, true)), ...Array.from({ length: 3 }, worker(b!, false)), ...Array.from({ length: 3 }, worker(c!, true))];
    await sleep(1000);
    const holders = await sql<Array<{ replica: string }>>`SELECT replica FROM budget_leases l JOIN budget_shares s USING (budget_id, period_start) WHERE s.name = 'loaded'`;
    expect(holders).toHaveLength(3);
    await stopProcess(b!.child, 'SIGKILL');
    const killedAt = performance.now();
    // Its lease stops being renewed; the row takes it back once it expires (5 s) at the next sync of another replica (heartbeat 1 s).
    let left = holders.length;
    while (left === holders.length && performance.now() - killedAt < 9000) {
      await sleep(100);
      left = (await sql`SELECT 1 FROM budget_leases l JOIN budget_shares s USING (budget_id, period_start) WHERE s.name = 'loaded'`).length;
    }
    const backAfter = performance.now() - killedAt;
    stop = true;
    await Promise.all(workers);
    replicas = [a!, c!];
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(100);
    expect(left).toBe(2);
    expect(backAfter).toBeLessThan(5000 + 1000 + 1500);
    console.log(`replicas: kill -9 of B under load, ${served} calls served, none failed on A and C; B's lease back after ${backAfter.toFixed(0)} ms`);
  }, 60_000);

  /** Waits until `ok` holds on every replica. */
  async function untilEvery(ok: (r: Serve) => Promise<boolean>, ms = 5000): Promise<void> {
    await until(async () => (await Promise.all(replicas.map(ok))).every(Boolean), ms);
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(ok: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await ok())) {
    if (performance.now() > end) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
}
