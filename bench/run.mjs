/**
 * `npm run bench [-- --quick]`: tokometer's overhead, measured from outside on loopback.
 * Starts a fake upstream, bare pass-through proxies (Node, Bun), the compiled binary and
 * tokometer on Node; runs interleaved rounds of latency, fixed-rate, throughput and
 * stream phases; 256 concurrent streams; a soak; store ingestion; the budget check; and
 * report timing (the 256-stream phase in interleaved herds too: 1 thrown away, 6 that
 * count). Writes bench/RESULTS.md (the table) and bench/out/results.json (raw).
 *
 * Flags: --quick (under 2 minutes) · --skip a,b (online, streams, otel, postgres, replicas, soak, ingest, budget,
 * report) · --out FILE (default bench/RESULTS.md; --no-write to print only) ·
 * --no-install (never apt-get wrk/hyperfine) · --soak-seconds N · --rate RPS · --warm-rounds N (rounds of every
 * phase run and thrown away before the ones that count; default 3, 0 with --quick) · --herds W+N (256-stream
 * herds per system thrown away + counted; default 1+6, 0+1 with --quick) · --idle-settle-seconds N (idle RSS
 * read again N s after the warm-up, beside the 1-s reading; default 20, none with --quick)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { budgetCheck, ingestion, reportTimes, speedProbe, startFills } from './lib/offline.mjs';
import { otelOverhead, startSink } from './lib/otel.mjs';
import { postgresPhase } from './lib/pg.mjs';
import { renderReplicas, replicasPhase } from './lib/replicas.mjs';
import { manyStreams, runRounds, soak, warmUp, warmUpRounds } from './lib/phases.mjs';
import { previousSpeed, renderMarkdown, summarize } from './lib/results-md.mjs';
import { countRows, startSystem, startUpstream, upstreamCounts } from './lib/systems.mjs';
import { cpuPlan, detectTools, machineInfo, machineTicks, ownTicks, pinSelf, rssMb } from './lib/tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? def : argv[i + 1];
};
const FLAGS = ['quick', 'no-write', 'no-install'];
const OPTIONS = ['skip', 'out', 'soak-seconds', 'rate', 'warm-rounds', 'herds', 'idle-settle-seconds'];
const usage = `usage: npm run bench [-- FLAGS]; flags: ${FLAGS.map((f) => `--${f}`).join(' ')}; options: ${OPTIONS.map((o) => `--${o} VALUE`).join(' ')} (bench/run.mjs and bench/README.md say what each does)`;
if (flag('help') || argv.includes('-h')) {
  console.log(usage);
  process.exit(0);
}
// A mistyped flag would otherwise start the full 22-minute run and overwrite bench/RESULTS.md.
for (let i = 0; i < argv.length; i++) {
  const name = argv[i].startsWith('--') ? argv[i].slice(2) : null;
  const value = argv[i + 1];
  if (name !== null && OPTIONS.includes(name) && value !== undefined && !value.startsWith('--')) i++;
  else if (name === null || !FLAGS.includes(name)) {
    const why = name !== null && OPTIONS.includes(name) ? `--${name} needs a value` : `unknown argument ${argv[i]}`;
    console.error(`bench/run.mjs: ${why}\n${usage}`);
    process.exit(2);
  }
}
const quick = flag('quick');
const skip = new Set((opt('skip', '') || '').split(',').filter(Boolean));
const started = performance.now();
const log = (msg) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);

const cfg = quick
  ? { rounds: 2, warmMs: 500, lat1kMs: 500, lat10kMs: 250, rateMs: 800, tputRounds: 1, tputMs: 2000, tputDirect: false, streamRounds: 1, streamConc: 16, streamBatches: 1, instantWaves: 1, herds: 1, herdWarmRounds: 0, settleMs: 1000, idleSettleMs: 0, warmRounds: 0, soakMs: 10_000, soakRate: 500, nodeSoakMs: 5_000, ingestCalls: 100_000, reportSizes: [100_000, 1_000_000], reportRuns: 1 }
  : { rounds: 5, warmMs: 2000, lat1kMs: 2000, lat10kMs: 1000, rateMs: 3000, tputRounds: 3, tputMs: 5000, tputDirect: true, streamRounds: 5, streamConc: 32, streamBatches: 4, instantWaves: 2, herds: 6, herdWarmRounds: 1, settleMs: 6000, idleSettleMs: 20_000, warmRounds: 3, soakMs: 300_000, soakRate: 1000, nodeSoakMs: 60_000, ingestCalls: 500_000, reportSizes: [1_000_000, 10_000_000], reportRuns: 2 };
cfg.rate = Number(opt('rate', 1000));
cfg.tputConns = 64;
if (opt('soak-seconds')) cfg.soakMs = Number(opt('soak-seconds')) * 1000;
if (opt('warm-rounds')) cfg.warmRounds = Number(opt('warm-rounds'));
if (opt('herds')) [cfg.herdWarmRounds, cfg.herds] = opt('herds').split('+').map(Number);
if (opt('idle-settle-seconds')) cfg.idleSettleMs = Number(opt('idle-settle-seconds')) * 1000;

async function main() {
  for (const f of ['dist/tokometer', 'dist/js/main.js']) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  }
  const bun = join(root, 'node_modules/.bin/bun');
  const tools = detectTools({ install: !flag('no-install'), log });
  const plan = cpuPlan(tools.taskset);
  pinSelf(plan.loadgen);
  log(`tools: wrk ${tools.wrk ? 'yes' : 'no (built-in client)'}, hyperfine ${tools.hyperfine ? 'yes' : 'no'}, pinning ${plan.pinned ? `load generator + upstream on CPU ${plan.loadgen}, system under test on CPU ${plan.sut}` : 'off'}`);
  const tmp = mkdtempSync(join('/tmp', 'tokometer-bench-'));
  Object.assign(cfg, { wrk: tools.wrk, loadCpu: plan.loadgen, tmp });
  // What serve on Bun sets for its allocator (src/server/bun-serve-relaunch.ts), as built: RESULTS.md names it.
  const { SERVE_ALLOCATOR_ENV } = await import(join(root, 'dist/js/server/bun-serve-relaunch.js'));
  const raw = { cfg: { ...cfg, wrk: !!tools.wrk }, quick, serveAllocatorEnv: SERVE_ALLOCATOR_ENV };
  const ticks0 = { machine: machineTicks(), own: ownTicks(), load: readFileSync('/proc/loadavg', 'utf8').split(' ')[0] };
  const resultsPath = opt('out', join(root, 'bench/RESULTS.md'));
  // The run this one is set against: the file it replaces, else the committed results.
  const previousPath = [resultsPath, join(root, 'bench/RESULTS.md')].find((p) => existsSync(p));
  raw.speed = { start: speedProbe({ root, bun, cpu: plan.sut }), previous: previousPath ? previousSpeed(readFileSync(previousPath, 'utf8')) : null };
  log(`machine speed (bench/speed-probe.mjs, ms): ${JSON.stringify(raw.speed.start)} (previous RESULTS.md: ${JSON.stringify(raw.speed.previous)})`);
  const running = [];
  let fills = null;
  try {
    const upstream = await startUpstream({ root, cpu: plan.upstream, bun });
    running.push(upstream);
    const base = { root, tmp, upstreamUrl: upstream.url, cpu: plan.sut, bun };
    const systems = [{ name: 'direct', label: 'upstream direct', kind: 'direct', port: upstream.port, pid: upstream.pid, pathPrefix: '', key: 'mk_bench' }];

    if (!skip.has('online') || !skip.has('streams')) {
      for (const name of ['bare-node', 'bare-bun', 'binary', 'node']) {
        const s = await startSystem(name, base);
        running.push(s);
        systems.push(s);
      }
      raw.rssStart = Object.fromEntries(systems.map((s) => [s.name, rssMb(s.pid)]));
      ({ idle: raw.idleRss, idleSettled: raw.idleRssSettled, settleJitMs: raw.settleJitMs } = await warmUp(systems, cfg, log));
    }
    if (!skip.has('online')) {
      raw.warmRoundsJitMs = await warmUpRounds(systems, cfg, log);
      Object.assign(raw, await runRounds(systems, cfg, log));
    }
    if (!skip.has('streams')) raw.many = await manyStreams(systems, cfg, log);

    // Every request that reached tokometer must be a row: stop (SIGTERM drains), then count.
    raw.rows = {};
    const counts = systems.length > 1 ? await upstreamCounts(upstream) : {};
    for (const s of systems.filter((x) => x.kind === 'tokometer')) {
      const code = await s.stop();
      raw.rows[s.name] = { exit: code, upstream: counts[s.name] ?? 0, ...(await countRows(root, s.db)) };
    }
    for (const s of systems.filter((x) => x.kind === 'bare')) await s.stop();

    if (!skip.has('otel')) {
      const sink = await startSink({ root, cpu: plan.loadgen, bun });
      running.push(sink);
      raw.otel = await otelOverhead({ ...base, sink, quick, log });
      await sink.stop();
    }

    if (!skip.has('postgres')) raw.postgres = await postgresPhase({ ...base, quick, log });
    if (!skip.has('replicas')) raw.replicas = await replicasPhase({ ...base, quick, log });

    // The report databases fill in the background (on the load generator's CPU) from here on:
    // only the soak overlaps it, and it measures rows and memory, not latency. (Started any
    // earlier, the fills took a core from the PostgreSQL ingestion phase: 43k instead of 72k calls/s.)
    if (!skip.has('report')) fills = startFills({ root, bun, sizes: cfg.reportSizes, cpu: plan.loadgen });
    if (!skip.has('soak')) {
      raw.soak = {};
      for (const [name, ms] of [['binary', cfg.soakMs], ['node', cfg.nodeSoakMs]]) {
        const s = await startSystem(name, { ...base, dirName: `${name}-soak`, as: `${name}-soak` });
        running.push(s);
        const idle = rssMb(s.pid);
        const res = await soak(s, { ...cfg, soakMs: ms }, log);
        const code = await s.stop();
        const rows = await countRows(root, s.db);
        raw.soak[name] = { ...res, idleRss: idle, exit: code, rows, lat: undefined, latSummary: undefined };
      }
    }
    await upstream.stop();
    if (fills) {
      log('waiting for the report databases to fill…');
      await fills.done;
    }

    if (!skip.has('ingest')) {
      raw.ingestion = ingestion({ root, bun, calls: cfg.ingestCalls, cpu: plan.sut });
      log(`ingestion: ${Object.entries(raw.ingestion).map(([k, v]) => `${k} ${Math.round(v.callsPerSec ?? NaN).toLocaleString('en-US')} calls/s`).join(', ')}`);
    }
    if (!skip.has('budget')) {
      raw.budget = budgetCheck({ root, quick, cpu: plan.sut });
      log(`budget check: ${raw.budget.status === 'ok' ? `${raw.budget.us} µs` : raw.budget.status}`);
    }
    if (fills) raw.reports = await reportTimes(fills, { root, runs: cfg.reportRuns, hyperfine: tools.hyperfine, cpu: plan.sut, log });
  } finally {
    fills?.cleanup();
    for (const p of running) await p.stop?.(5000);
    rmSync(tmp, { recursive: true, force: true });
  }

  raw.speed.end = speedProbe({ root, bun, cpu: plan.sut });
  log(`machine speed at the end (ms): ${JSON.stringify(raw.speed.end)}`);
  const seconds = (performance.now() - started) / 1000;
  const m1 = machineTicks();
  const elapsedTicks = (m1.total - ticks0.machine.total) / plan.cores;
  const foreign = m1.busy - ticks0.machine.busy - (ownTicks() - ticks0.own);
  // Other processes' share of the machine while the bench ran: tails (p99) are only as quiet as this.
  raw.background = { cpuSeconds: foreign / 100, sharePct: (100 * foreign) / (elapsedTicks * plan.cores), loadAvgAtStart: Number(ticks0.load), loadAvgAtEnd: Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]) };
  log(`other processes used ${raw.background.cpuSeconds.toFixed(0)} CPU-s (${raw.background.sharePct.toFixed(0)} % of the machine) during the run`);
  raw.meta = {
    date: new Date().toISOString(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    seconds,
    machine: machineInfo(),
    tools: { wrk: !!tools.wrk, hyperfine: !!tools.hyperfine, taskset: !!tools.taskset },
    plan,
    background: raw.background,
    speed: raw.speed,
  };
  const figures = summarize(raw);
  const md = renderMarkdown(raw, figures);
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/results.json'), JSON.stringify({ meta: raw.meta, cfg: raw.cfg, figures }, null, 2));
  // Report speed at 1M/10M takes an hour to generate, so it lives in its own file, appended here.
  const reportSpeed = join(root, 'bench/REPORT-SPEED.md');
  // The PostgreSQL phase's last standalone figures (node bench/postgres.mjs) when this run skipped it.
  const postgres = join(root, 'bench/POSTGRES.md');
  const withPostgres = !raw.postgres && existsSync(postgres) ? `${md.trimEnd()}\n\n${readFileSync(postgres, 'utf8')}` : md;
  // The replicas phase's section, or its last standalone figures (node bench/replicas.mjs) when this run skipped it.
  const replicasMd = join(root, 'bench/REPLICAS.md');
  const replicasSection = raw.replicas ? renderReplicas(raw.replicas).join('\n').trim() : existsSync(replicasMd) ? readFileSync(replicasMd, 'utf8').trim() : '';
  const withReplicas = replicasSection ? `${withPostgres.trimEnd()}\n\n${replicasSection}\n` : withPostgres;
  const full = existsSync(reportSpeed) ? `${withReplicas.trimEnd()}\n\n${readFileSync(reportSpeed, 'utf8')}` : withReplicas;
  if (!flag('no-write')) writeFileSync(resultsPath, full);
  console.log(`\n${md}`);
  log(`done in ${seconds.toFixed(0)} s`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
