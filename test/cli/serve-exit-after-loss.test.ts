import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { newMeteringKey } from '../../src/lib/ids.js';
import type { SqlDriver } from '../../src/store/types.js';
import { FakeUpstream } from '../support/fake-upstream.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const UPSTREAM_KEY = 'sk-test-upstream-0123456789abcdef';

/**
 * serve run in-process with `config` on database `db`, as the CLI runs it; once it listens,
 * every connection it opened refuses writes (`PRAGMA query_only`): no record can be stored.
 */
async function serveRefusingWrites(dir: string, config: string, db: string) {
  const secret = newMeteringKey();
  const node = edgesFor('node');
  const opened: SqlDriver[] = [];
  const out = { err: '' };
  let listening!: (url: string) => void;
  const ready = new Promise<string>((r) => (listening = r));
  const ctx: CliContext = {
    edges: {
      ...node,
      openDriver: async () => {
        const open = await node.openDriver();
        return (file, options) => {
          const d = open(file, options);
          opened.push(d);
          return d;
        };
      },
    },
    env: { TEST_MK: secret },
    cwd: dir,
    clock: () => Date.now(),
    out: (text) => {
      const m = /listening on (http:\/\/\S+)/.exec(text);
      if (m) listening(m[1]!);
    },
    err: (text) => void (out.err += text),
    isTTY: false,
  };
  const serving = runCli(['serve', '--port', '0', '--db', db, '--config', config], ctx);
  const url = await ready;
  for (const d of opened) {
    try {
      d.exec('PRAGMA query_only = 1');
    } catch {
      // a connection already closed
    }
  }
  /** One chat call through the proxy: its status. */
  const call = async () => {
    const res = await fetch(`${url}/proxy/openai/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{"model":"gpt-4o-mini","messages":[]}' });
    await res.text();
    return res.status;
  };
  return { serving, call, err: () => out.err };
}

/**
 * SPEC §7: exit 1 on a runtime failure. A SIGTERM whose drain cannot write the pending call
 * records (the database refuses writes, nowhere to spill) loses them: the log says so, and
 * the exit code must too, or a supervisor records a clean stop.
 */
describe('serve stopped by a signal after losing call records', () => {
  let dir: string | undefined;
  let fake: FakeUpstream | undefined;
  afterEach(async () => {
    await fake?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1, not 0', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-serve-loss-'));
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: () => ({ body: CHAT }) }).start();
    const config = path.join(dir, 'tokometer.yaml');
    // An in-memory database has no spill file; a drain gives up after 20 tries 200 ms apart.
    writeFileSync(config, `providers:\n  openai: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\nkeys:\n  k: { secret_env: TEST_MK }\nstore: { flush_interval_ms: 200 }\nlimits: { shutdown_grace_ms: 200 }\n`);
    // From now on the database refuses every write: the call's record cannot be stored.
    const serve = await serveRefusingWrites(dir, config, ':memory:');
    expect(await serve.call()).toBe(200);
    process.emit('SIGTERM', 'SIGTERM');
    const code = await serve.serving;
    expect(serve.err()).toContain('call records could not be written before exit and are lost');
    expect(code).toBe(1);
  }, 60_000);

  // A trial: serve on a database it could not write (read-only) logged "stopped: every call
  // record written" and exited 0 while the records were only in the spill file.
  it('says the records are in the spill file, not written, when the database refused them and the spill took them', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-serve-spilled-'));
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: () => ({ body: CHAT }) }).start();
    const config = path.join(dir, 'tokometer.yaml');
    const spill = path.join(dir, 'calls.spill');
    writeFileSync(config, `providers:\n  openai: { base_url: "${fake.url}", api_key: "${UPSTREAM_KEY}" }\nkeys:\n  k: { secret_env: TEST_MK }\nstore: { flush_interval_ms: 200, spill_path: "${spill}" }\nlimits: { shutdown_grace_ms: 200 }\n`);
    const serve = await serveRefusingWrites(dir, config, path.join(dir, 'tokometer.db'));
    for (let i = 0; i < 2; i++) expect(await serve.call()).toBe(200);
    process.emit('SIGTERM', 'SIGTERM');
    const code = await serve.serving;
    // Not lost: the next start replays them. But not written either.
    expect(code).toBe(0);
    expect(serve.err()).not.toContain('every call record written');
    expect(serve.err()).toContain(`stopped: 2 call records are in the spill file ${spill}, not in the database`);
    // Its id line, then one line per record.
    expect(readFileSync(spill, 'utf8').trim().split('\n').filter((line) => line.includes('gpt-4o-mini'))).toHaveLength(2);
  }, 60_000);
});
