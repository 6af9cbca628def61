import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { FakeUpstream, sseFrames, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), 'utf8');
const CHAT = fixture('chat.json');
const STREAM_USAGE = fixture('chat-stream-usage.sse');
const UPSTREAM_KEY = 'sk-built-upstream-key-0000000000';
// gpt-4o-mini, 1250 prompt (1024 cached) + 9 output at 150 / 75 / 600 nano-USD per token:
// 226 × 150 + 1024 × 75 + 9 × 600 = 33,900 + 76,800 + 5,400 = 116,100 nano-USD per call.
const CALL_NANO = 116_100;

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/chat/completions') return undefined;
  const body = req.json as { stream?: boolean };
  return body.stream ? { headers: { 'content-type': 'text/event-stream' }, body: sseFrames(STREAM_USAGE), delayMs: 1 } : { body: CHAT };
}

/**
 * The end-to-end smoke on the built artefacts, spawned as child processes: the compiled
 * Bun binary (Bun.serve, fetch, bun:sqlite) and the Node package (node:http, undici,
 * better-sqlite3). Both must meter the same calls to the same nano-dollar.
 */
describe.each<Build>(['binary', 'node'])('built tokometer (%s)', (build) => {
  let dir: string;
  let fake: FakeUpstream;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `tokometer-${build}-`));
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply }).start();
    writeFileSync(path.join(dir, 'tokometer.yaml'), `providers:\n  openai: { base_url: "${fake.url}", api_key: "\${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 20 }\n`);
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a key, proxies SDK calls, drains on SIGTERM and reports the right totals', async () => {
    const env = { UPSTREAM_KEY };
    const created = await runCli(build, ['keys', 'create', 'summarizer', '--tag', 'feature=summarizer'], { cwd: dir, env });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    expect(secret).toBeDefined();
    expect((statSync(path.join(dir, 'tokometer.db')).mode & 0o777).toString(8)).toBe('600');

    const serve = await startServe(build, ['--port', '0'], { cwd: dir, env });
    const client = new OpenAI({ apiKey: secret, baseURL: `${serve.url}/proxy/openai`, maxRetries: 0 });
    const tagged = (tier: string) => ({ headers: { 'X-Metering-Tags': JSON.stringify({ user_tier: tier, feature: 'spoofed' }) } });
    const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, tagged('free'));
    expect(res.usage?.total_tokens).toBe(1259);
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }, tagged('pro'));
    let chunks = 0;
    for await (const chunk of stream) {
      expect(chunk.choices.length).toBeGreaterThan(0);
      chunks++;
    }
    expect(chunks).toBe(sseFrames(STREAM_USAGE).length - 2);
    expect(await stopProcess(serve.child)).toBe(0);
    expect(serve.output().stderr).not.toContain(UPSTREAM_KEY);
    expect(fake.problems).toEqual([]);

    const report = await runCli(build, ['report', '--by', 'feature', '--format', 'json'], { cwd: dir, env });
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const json = JSON.parse(report.stdout) as { rows: Array<{ group: Record<string, string>; cost_usd: number; calls: number }>; total: { cost_usd: number; calls: number } };
    expect(json.rows).toHaveLength(1);
    expect(json.rows[0]?.group).toEqual({ feature: 'summarizer' });
    expect(json.rows[0]?.calls).toBe(2);
    expect(json.total.cost_usd).toBeCloseTo((2 * CALL_NANO) / 1e9, 12);

    const db = openDriver(path.join(dir, 'tokometer.db'), { readonly: true });
    const rows = db.prepare('SELECT cost_nano, streamed, input_tokens, output_tokens, tags FROM calls ORDER BY id').all<Record<string, unknown>>();
    db.close();
    expect(rows.map((r) => r.cost_nano)).toEqual([CALL_NANO, CALL_NANO]);
    expect(rows.map((r) => r.streamed)).toEqual([0, 1]);
    expect(rows.map((r) => JSON.parse(String(r.tags)) as Record<string, string>)).toEqual([
      { user_tier: 'free', feature: 'summarizer' },
      { user_tier: 'pro', feature: 'summarizer' },
    ]);
  });

  it('read-only commands on a missing --db exit 2 with one line naming the path, and create no file', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), `tokometer-${build}-nodb-`));
    try {
      const typo = path.join(empty, 'typo.db');
      const noFolder = path.join(empty, 'no-such-folder', 'tokometer.db');
      const commands = [['report'], ['audit'], ['prices', 'unpriced'], ['keys', 'list'], ['keys', 'history']];
      for (const command of commands) {
        for (const db of [typo, noFolder]) {
          const res = await runCli(build, [...command, '--db', db], { cwd: empty });
          expect(res.code, `${command.join(' ')} --db ${db}`).toBe(2);
          expect(res.stdout).toBe('');
          const why = db === noFolder ? `: the folder ${path.dirname(noFolder)} does not exist` : ': the file given to --db does not exist';
          expect(res.stderr).toBe(`tokometer: no database at ${db}${why}\n`);
        }
      }
      // The default path (./tokometer.db here) is not created either.
      expect((await runCli(build, ['report'], { cwd: empty })).code).toBe(2);
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('serve on Bun runs in a process of its own (started again once, same PID, its plan file gone) with the allocator settings, an operator value wins, Node sets none', async () => {
    const environ = (pid: number) => readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    // One round trip before SIGTERM, so the test is about the environment only: a SIGTERM
    // right as "listening" was printed is test/cli/serve-signals.test.ts's case.
    const stop = async (s: Awaited<ReturnType<typeof startServe>>) => {
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
      return stopProcess(s.child);
    };
    const interval = (pid: number) => environ(pid).filter((v) => v.startsWith('MIMALLOC_PURGE_HOLES_MIN_INTERVAL='));
    const cases: Array<[Record<string, string>, string[]]> = [
      [{}, build === 'binary' ? ['MIMALLOC_PURGE_HOLES_MIN_INTERVAL=2000'] : []],
      [{ MIMALLOC_PURGE_HOLES_MIN_INTERVAL: '100' }, ['MIMALLOC_PURGE_HOLES_MIN_INTERVAL=100']],
    ];
    for (const [own, expected] of cases) {
      const serve = await startServe(build, ['--port', '0', '--db', path.join(dir, 'relaunch.db')], { cwd: dir, env: { UPSTREAM_KEY, ...own } });
      try {
        expect(interval(serve.child.pid as number)).toEqual(expected);
        // On Bun the proxy runs from the plan handed over in a private file, removed once read.
        const plan = environ(serve.child.pid as number).find((v) => v.startsWith('TOKOMETER_SERVE_PLAN='));
        if (build === 'binary') {
          expect(plan).toMatch(/^TOKOMETER_SERVE_PLAN=.*tokometer-serve-[^/]+\/plan\.json$/);
          expect(existsSync(path.dirname((plan as string).split('=')[1] as string))).toBe(false);
        } else expect(plan).toBeUndefined();
        expect(await stop(serve)).toBe(0);
        expect(serve.output().stderr).not.toContain('allocator');
      } finally {
        serve.child.kill('SIGKILL');
      }
    }
    // The plan's variable set by hand to a file that is not a plan: one line saying so, exit 1, the file untouched.
    const notPlan = path.join(dir, 'notes.txt');
    writeFileSync(notPlan, 'not a plan');
    const handSet = await runCli(build, ['serve'], { cwd: dir, env: { TOKOMETER_SERVE_PLAN: notPlan } });
    expect(handSet.code).toBe(1);
    expect(handSet.stderr).toBe(`tokometer: ${notPlan} is not a serve plan of this tokometer (tokometer-serve-plan/1)\n`);
    expect(readFileSync(notPlan, 'utf8')).toBe('not a plan');
    // A config error is reported once, by the process that read the config, before any restart.
    const bad = path.join(dir, 'bad-serve.yaml');
    writeFileSync(bad, 'listen:\n  port: "eighty"\n');
    const res = await runCli(build, ['serve', '--config', bad], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr.match(/bad-serve\.yaml:2:\d+: listen\.port/g)).toHaveLength(1);
  });

  // The binary's writer thread had its own connection to the file: Bun's close() left it
  // open (a zombie while its statements were unfinalized), so the -wal file was still there
  // when serve went to remove the new database, and new.db (368,640 bytes) stayed.
  it('a serve whose port is taken exits 1 and leaves no database file behind', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as { port: number }).port;
    const folder = mkdtempSync(path.join(dir, 'taken-port-'));
    try {
      const res = await runCli(build, ['serve', '--db', path.join(folder, 'new.db'), '--port', String(taken)], { cwd: dir, env: { UPSTREAM_KEY } });
      expect(res.stderr).toContain('the address is already in use');
      expect(res.code).toBe(1);
      expect(readdirSync(folder)).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('exits 2 with file, line and field for a bad config', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'listen:\n  port: "eighty"\n');
    const res = await runCli(build, ['config', 'check', '--config', bad], { cwd: dir });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/bad\.yaml:2:\d+: listen\.port/);
  });
});
