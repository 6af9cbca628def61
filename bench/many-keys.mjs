/**
 * Latency and CPU at a fixed 1,000 req/s of tokometer builds whose database holds many
 * keys (a SaaS with a key per tenant). The keys are inserted by another connection once
 * serve listens (a third of them with a monthly budget), as `tokometer keys create` in
 * another terminal would, so serve's key watch picks them up; then 4 s under 64
 * connections, then `--rounds` of 4 s at 1,000 req/s on 32 connections.
 *
 *   node bench/many-keys.mjs [--keys 10000] [--rounds 3] [--build NAME=PATH]…   (default build: dist/tokometer)
 *
 * Same CPU layout as the bench; loopback only; bounded in time. Prints one line per round.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cliOptions } from './lib/args.mjs';
import { parseBuilds, startBuilds } from './lib/builds.mjs';
import { closedLoop, fixedRate, requestFor } from './lib/load.mjs';
import { summary } from './lib/stats.mjs';
import { root, runStandalonePhase } from './lib/standalone.mjs';
import { cpuMsExact } from './lib/tools.mjs';

const argv = process.argv.slice(2);
const { opt } = cliOptions(argv);
const keys = Number(opt('keys', 10_000));
const rounds = Number(opt('rounds', 3));
const builds = parseBuilds(argv);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Inserts `n` keys into the SQLite file `db` from another process (bun:sqlite), in one transaction. */
function insertKeys(db, n) {
  const script = `
    const { Database } = require('bun:sqlite');
    const db = new Database(${JSON.stringify(db)});
    db.exec('PRAGMA busy_timeout = 5000');
    const insert = db.prepare('INSERT INTO keys (name, prefix, hash, created_at, budget) VALUES (?, ?, ?, 1, ?)');
    const budget = JSON.stringify({ limitNano: 10e9, period: 'month', alertAt: [0.8], soft: false });
    db.transaction(() => { for (let i = 0; i < ${n}; i++) insert.run('tenant' + i, 'mk_t' + i, 'x' + String(i).padStart(63, '0'), i % 3 === 0 ? budget : null); })();`;
  const r = spawnSync(join(root, 'node_modules/.bin/bun'), ['-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not insert the keys: ${r.stderr}`);
}

runStandalonePhase({ needs: [], tmpPrefix: 'tokometer-many-keys-', pinLoadgen: true }, async ({ plan, tmp, upstream, running }) => {
  for (const build of builds) {
    const [s] = await startBuilds([build], { tmp, upstream, cpu: plan.sut, running, env: new Map() });
    if (keys > 0) insertKeys(s.db, keys);
    await sleep(1000);
    await closedLoop(s.port, requestFor(s, '1k'), { conns: 64, durationMs: 4000 });
    for (let round = 1; round <= rounds; round++) {
      const cpu0 = cpuMsExact(s.pid);
      const res = await fixedRate(s.port, requestFor(s, '1k'), { rps: 1000, durationMs: 4000, conns: 32 });
      const cpuUs = ((cpuMsExact(s.pid) - cpu0) * 1000) / Math.max(1, res.lat.length);
      const lat = summary(res.lat);
      console.log(`${build.name}, ${keys} keys, round ${round}: p50 ${lat.p50.toFixed(2)} ms, p99 ${lat.p99.toFixed(2)} ms, CPU ${cpuUs.toFixed(1)} µs per call`);
    }
    await s.stop();
  }
});
