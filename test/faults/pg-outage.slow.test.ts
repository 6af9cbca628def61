import { readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startPgServer, type PgServer } from '../support/pg-server.mjs';
import { createTestDatabase } from '../support/pg.js';
import { openServeFolder } from '../support/serve-folder.js';
import { runCli, startServe, stopProcess } from '../support/spawn-cli.js';
import { startForSuite } from '../support/suite-resource.js';
import { taggedLoad } from '../support/tagged-call.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const FLUSH_MS = 50;

/**
 * The built binary on a PostgreSQL server of its own, which the test stops and starts.
 * Calls go on in the meantime: records wait in memory and then in the spill file (a small
 * max_buffered_records makes them spill within seconds), /healthz says degraded, and the replay after the restart writes each of them exactly once.
 */
describe('PostgreSQL unreachable under load (compiled binary)', () => {
  let pg: PgServer;
  let url: string;
  afterAll(() => pg?.remove());
  const folder = startForSuite(async () => {
    pg = await startPgServer();
    url = await createTestDatabase(pg.url, 'outage');
    return openServeFolder({
      name: 'pgout',
      upstream: { expectedKey: 'sk-pg', reply: () => ({ body: CHAT }) },
      config: (fakeUrl, dir) =>
        `db: ${url}\nproviders:\n  openai: { base_url: "${fakeUrl}", api_key: "sk-pg" }\nstore: { flush_interval_ms: ${FLUSH_MS}, max_buffered_records: 2000, spill_path: ${path.join(dir, 'serve.spill')} }\n`,
    });
  });

  it('PostgreSQL stopped for 10 s and started again: no call fails, /healthz says degraded meanwhile, and rows = requests served after the replay', async () => {
    const { dir } = folder();
    const created = await runCli('binary', ['keys', 'create', 'load'], { cwd: dir });
    expect(created.code, created.stderr).toBe(0);
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    const serve = await startServe('binary', ['--port', '0'], { cwd: dir });
    const served = new Set<string>();
    const failures: string[] = [];
    const health: string[] = [];
    let spilledMax = 0;
    const probe = async () => {
      const res = await fetch(`${serve.url}/healthz`);
      const body = (await res.json()) as { status: string; spilled_records?: number };
      health.push(body.status);
      spilledMax = Math.max(spilledMax, body.spilled_records ?? 0);
    };
    const load = taggedLoad(serve.url, secret, {
      clients: 8,
      pauseMs: 5,
      onAnswer: (id, res) => void (res.status === 200 ? served.add(id) : failures.push(`${res.status} ${res.text.slice(0, 200)}`)),
      onFailure: (error) => (failures.push(String(error)), 'go on'),
    });
    await new Promise((r) => setTimeout(r, 1500));
    const beforeOutage = served.size;
    await pg.stop();
    const outageStart = served.size;
    for (let s = 0; s < 10; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      await probe();
    }
    const duringOutage = served.size - outageStart;
    await pg.start();
    await new Promise((r) => setTimeout(r, 2000));
    await load.stop();

    // The writer notices the database again within its retry pause, then replays.
    let last = '';
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${serve.url}/healthz`);
      last = await res.text();
      if (JSON.parse(last).status === 'ok') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // On failure, the serve's own log says why the writer stayed failing.
    const log = serve.output();
    expect(JSON.parse(last).status, `${last}\nserve's log (last lines):\n${log.stdout.slice(-4000)}\n${log.stderr.slice(-2000)}`).toBe('ok');
    expect(await stopProcess(serve.child)).toBe(0);

    expect(failures).toEqual([]);
    expect(beforeOutage).toBeGreaterThan(50);
    expect(duringOutage).toBeGreaterThan(200);
    expect(health).toContain('degraded');
    // Past 1000 waiting records (max_buffered_records / 2) they went to the spill file, and came back from it.
    expect(spilledMax).toBeGreaterThan(1000);
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql<{ value: string; n: number }[]>`SELECT tags::jsonb ->> 'req' AS value, COUNT(*)::int AS n FROM calls GROUP BY 1`;
      const stored = new Map(rows.map((r) => [r.value, r.n]));
      expect([...stored.values()].filter((k) => k !== 1)).toEqual([]); // nothing twice
      expect([...served].filter((id) => !stored.has(id))).toEqual([]); // nothing lost
      const [counted] = await sql<{ calls: number }[]>`SELECT COUNT(*)::int AS calls FROM calls`;
      expect(counted?.calls).toBe(served.size);
      const [rolled] = await sql<{ n: number }[]>`SELECT COALESCE(SUM(r.calls), 0)::int AS n FROM rollups r JOIN rollup_dims d ON d.id = r.dim_id WHERE d.tag_key = ''`;
      expect(rolled?.n).toBe(served.size);
    } finally {
      await sql.end();
    }
    console.log(`pg outage: ${served.size} calls served (${duringOutage} while PostgreSQL was down), health during the outage ${health.join(',')}, up to ${spilledMax} records in the spill file`);
  }, 90_000);
});
