import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { expectSpentCapRefusals } from '../support/sdk-refusals.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';

const UPSTREAM_KEY = 'sk-admission-upstream-0000000000';
const TOKEN = 'admission-built-admin-token';
const CALLS = 60;
/** $0.002 a month: the key. */
const CAP_NANO = 2_000_000;
/**
 * What each call really costs at gpt-4o prices ($2.50 / $10 per 1M tokens): 60 prompt
 * tokens × 2,500 + 30 output tokens × 10,000 = 150,000 + 300,000 = 450,000 nano-USD
 * ($0.00045). Prompts are padded so that the estimate's prompt bytes / 4 stays above 60.
 */
const CALL_NANO = 450_000;
const USAGE = { prompt_tokens: 60, completion_tokens: 30, total_tokens: 90 };

/** Holds the answer to a call whose prompt says "hold" until the test calls it. */
let release: () => void = () => {};

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/chat/completions') return undefined;
  const body = req.json as { stream?: boolean; stream_options?: { include_usage?: boolean } };
  const base = { id: 'chatcmpl-admission', created: 1767225600, model: 'gpt-4o-2024-08-06' };
  if (!body.stream) {
    const json = JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: USAGE });
    const hold = req.body.includes('hold') ? new Promise<void>((resolve) => (release = resolve)) : undefined;
    return { body: [json.slice(0, 40), json.slice(40)], delayMs: 5, ...(hold ? { hold } : {}) };
  }
  const chunk = (extra: object) => `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', ...extra })}\n\n`;
  const frames = [chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'o' }, finish_reason: null }] }), chunk({ choices: [{ index: 0, delta: { content: 'k' }, finish_reason: 'stop' }] })];
  if (body.stream_options?.include_usage) frames.push(chunk({ choices: [], usage: USAGE }));
  frames.push('data: [DONE]\n\n');
  return { headers: { 'content-type': 'text/event-stream' }, body: frames, delayMs: 5 };
}

type Outcome = { ok: true } | { ok: false; error: unknown };

/**
 * Issue #14's scenario on the built artefacts: a key with `--budget 0.002 --period month`
 * and 60 concurrent official-SDK calls to gpt-4o (about $0.00045 each; half streamed).
 * Today's refusals for "reservations in flight" are gone: the cap is used up to within
 * one call, and every refused call was refused because the cap is spent.
 */
describe.each<Build>(['binary', 'node'])('budget admission on the built %s', (build) => {
  let dir: string;
  let fake: FakeUpstream;
  let secret = '';
  const env = { UPSTREAM_KEY };
  const serveArgs = () => ['--config', path.join(dir, 'tokometer.yaml'), '--port', '0'];
  const adminBudget = async (url: string, name = 'capped') => {
    const res = await fetch(`${url}/admin/budgets?name=${name}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await res.json()) as { budgets: Array<Record<string, number | string | boolean>> }).budgets[0]!;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `tokometer-admission-${build}-`));
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply }).start();
    writeFileSync(
      path.join(dir, 'tokometer.yaml'),
      `providers:\n  openai: { base_url: "${fake.url}", api_key: "\${UPSTREAM_KEY}" }\nadmin: { token: "${TOKEN}" }\nstore: { flush_interval_ms: 20 }\n`,
    );
    const created = await runCli(build, ['keys', 'create', 'capped', '--budget', '0.002', '--period', 'month', '--config', path.join(dir, 'tokometer.yaml')], { cwd: dir, env });
    expect(created.code).toBe(0);
    secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)![0];
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('60 concurrent SDK calls use the whole cap, and every refusal is for a spent cap', async () => {
    const serve = await startServe(build, serveArgs(), { cwd: dir, env });
    let outcomes: Outcome[];
    let state: Record<string, number | string | boolean>;
    try {
      // Default SDK retries: a refusal for a spent cap must not be retried (x-should-retry: false).
      const client = new OpenAI({ apiKey: secret, baseURL: `${serve.url}/proxy/openai` });
      outcomes = await Promise.all(
        Array.from({ length: CALLS }, async (_, i): Promise<Outcome> => {
          const messages = [{ role: 'user' as const, content: `call ${i}: `.padEnd(300, 'x') }];
          try {
            if (i % 2 === 0) {
              await client.chat.completions.create({ model: 'gpt-4o', messages });
            } else {
              const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
              for await (const chunk of stream) void chunk;
            }
            return { ok: true };
          } catch (error) {
            return { ok: false, error };
          }
        }),
      );
      state = await adminBudget(serve.url);
    } finally {
      expect(await stopProcess(serve.child)).toBe(0);
    }
    expect(fake.problems).toEqual([]);

    const served = outcomes.filter((o) => o.ok).length;
    const refused = outcomes.filter((o): o is { ok: false; error: unknown } => !o.ok);
    expect(served + refused.length).toBe(CALLS);
    expect(refused.length).toBeGreaterThan(0);
    expectSpentCapRefusals(refused.map((r) => r.error));

    // Spend: within one call of the cap on either side, and exactly the served calls.
    const db = openDriver(path.join(dir, 'tokometer.db'), { readonly: true });
    const rows = db.prepare("SELECT outcome, status, cost_nano FROM calls WHERE key_name = 'capped'").all<{ outcome: string; status: number; cost_nano: number | null }>();
    db.close();
    expect(rows).toHaveLength(CALLS); // one request per SDK call: nothing was retried
    const ok = rows.filter((r) => r.outcome === 'ok');
    expect(ok).toHaveLength(served);
    expect(ok.every((r) => r.cost_nano === CALL_NANO)).toBe(true);
    expect(rows.filter((r) => r.outcome === 'refused').every((r) => r.status === 429)).toBe(true);
    const spent = served * CALL_NANO;
    expect(spent).toBeGreaterThanOrEqual(CAP_NANO - CALL_NANO);
    expect(spent).toBeLessThanOrEqual(CAP_NANO + CALL_NANO);
    expect(fake.requests.length).toBe(served);
    expect(state).toMatchObject({ spent_usd: spent / 1e9, reserved_usd: 0, in_flight: 0, waiting: 0, blocked: true });
  });

  it('after a restart the key stays blocked: spend is rebuilt from the store', async () => {
    const serve = await startServe(build, serveArgs(), { cwd: dir, env });
    try {
      const state = await adminBudget(serve.url);
      expect(state.blocked).toBe(true);
      expect(state.spent_usd as number).toBeGreaterThanOrEqual(CAP_NANO / 1e9);
      const client = new OpenAI({ apiKey: secret, baseURL: `${serve.url}/proxy/openai`, maxRetries: 0 });
      const error = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'again' }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect(((error as InstanceType<typeof OpenAI.RateLimitError>).error as { code: string }).code).toBe('budget_exceeded');
    } finally {
      expect(await stopProcess(serve.child)).toBe(0);
    }
  });

  it('a waiting client that disconnects leaves the queue at once and holds nothing', async () => {
    const created = await runCli(build, ['keys', 'create', 'held', '--budget', '0.002', '--config', path.join(dir, 'tokometer.yaml')], { cwd: dir, env });
    const held = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)![0];
    const serve = await startServe(build, serveArgs(), { cwd: dir, env });
    try {
      const call = (content: string, signal?: AbortSignal) =>
        fetch(`${serve.url}/proxy/openai/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${held}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }),
          ...(signal ? { signal } : {}),
        });
      const until = async (what: string, ok: (b: Record<string, number | string | boolean>) => boolean) => {
        for (let i = 0; i < 200; i++) {
          if (ok(await adminBudget(serve.url, 'held'))) return;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error(`timed out waiting for ${what}`);
      };
      // No output history for this key yet: the first call's estimate (1,024 output tokens) exceeds the cap, so nothing fits beside it.
      const first = call('hold');
      await until('the first call in flight', (b) => b.in_flight === 1);
      const leaving = new AbortController();
      const second = call('leaves', leaving.signal).catch((e: unknown) => e);
      await until('the second caller waiting', (b) => b.waiting === 1);
      leaving.abort();
      expect(await second).toBeInstanceOf(Error);
      await until('the second caller to leave', (b) => b.waiting === 0);
      expect(await adminBudget(serve.url, 'held')).toMatchObject({ in_flight: 1, waiting: 0 });
      release();
      expect((await first).status).toBe(200);
      await until('nothing in flight', (b) => b.in_flight === 0);
      expect(await adminBudget(serve.url, 'held')).toMatchObject({ reserved_usd: 0, waiting: 0, spent_usd: CALL_NANO / 1e9 });
    } finally {
      expect(await stopProcess(serve.child)).toBe(0);
    }
    const db = openDriver(path.join(dir, 'tokometer.db'), { readonly: true });
    const rows = db.prepare("SELECT outcome, cost_nano FROM calls WHERE key_name = 'held' ORDER BY id").all<{ outcome: string; cost_nano: number | null }>();
    db.close();
    expect(rows).toEqual([
      { outcome: 'client_aborted', cost_nano: 0 },
      { outcome: 'ok', cost_nano: CALL_NANO },
    ]);
  });
});
