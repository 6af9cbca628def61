/**
 * The dashboard's cost: `tokometer tui` of each build in a real terminal (tmux, 160×50) over
 * one demo database, builds in turn, mirrored order every other round. Per start: ms until the
 * dashboard is drawn, RSS 2 s after that, then 21 keys 150 ms apart (group by, select, drill
 * down and back, every period) and the CPU ms (all threads) and RSS after them.
 *
 *   node bench/tui-keys.mjs --build a=/tmp/a --build b=dist/tokometer [--rounds 6] [--calls 20000]
 *
 * Needs tmux. The demo database is written once by the first build (`demo --calls N`).
 * Prints one JSON line per start, then the medians per build.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliOptions } from './lib/args.mjs';
import { parseBuilds } from './lib/builds.mjs';
import { median } from './lib/stats.mjs';
import { cpuMsExact, rssMb } from './lib/tools.mjs';

const opts = cliOptions();
const builds = parseBuilds(process.argv.slice(2));
const rounds = Number(opts.opt('rounds', '6'));
const calls = opts.opt('calls', '20000');
const KEYS = ['Tab', 'Tab', 'Down', 'Down', 'Enter', 'BSpace', 'Tab', 'Down', 'Enter', 'BSpace', '7', '1', 'm', '3', 'Tab', 'Tab', 'Tab', 'Down', 'Up', 'Enter', 'BSpace'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let starts = 0;

const dir = mkdtempSync(join(tmpdir(), 'tokometer-tui-keys-'));
const db = join(dir, 'demo.db');
execFileSync(builds[0].path, ['demo', '--db', db, '--calls', calls], { cwd: dir, stdio: 'ignore' });

/** One start of a build, on a tmux server of its own (a server being killed cannot take the next session): drawn ms, RSS, CPU of the keys. */
async function measure(build) {
  const socket = `tokometer-tui-keys-${process.pid}-${starts++}`;
  const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const t0 = performance.now();
  tmux('new-session', '-d', '-s', 'tui', '-x', '160', '-y', '50', `exec ${build.path} tui --db ${db}`);
  try {
    const pid = Number(tmux('list-panes', '-t', 'tui', '-F', '#{pane_pid}').trim());
    while (!tmux('capture-pane', '-p', '-t', 'tui').includes('Live tail')) {
      if (performance.now() - t0 > 30_000) throw new Error(`${build.name}: no dashboard within 30 s`);
      await sleep(5);
    }
    const drawnMs = performance.now() - t0;
    await sleep(2000);
    const cpu0 = cpuMsExact(pid);
    const rssDrawn = rssMb(pid);
    for (const key of KEYS) {
      tmux('send-keys', '-t', 'tui', key);
      await sleep(150);
    }
    await sleep(1000);
    return { drawnMs, rssDrawn, keysCpuMs: cpuMsExact(pid) - cpu0, rssAfterKeys: rssMb(pid) };
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // The server already ended with the program (it failed to start): the error above says why.
    }
  }
}

const results = new Map(builds.map((b) => [b.name, []]));
try {
  for (let r = 0; r < rounds; r++) {
    for (const b of r % 2 === 0 ? builds : [...builds].reverse()) {
      const m = await measure(b);
      results.get(b.name).push(m);
      console.log(JSON.stringify({ build: b.name, round: r + 1, ...Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number(v.toFixed(1))])) }));
    }
  }
  for (const [name, runs] of results) {
    const med = (k) => Number(median(runs.map((x) => x[k])).toFixed(1));
    console.log(JSON.stringify({ build: name, median: { drawnMs: med('drawnMs'), rssDrawn: med('rssDrawn'), keysCpuMs: med('keysCpuMs'), rssAfterKeys: med('rssAfterKeys') } }));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
