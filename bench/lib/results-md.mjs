/**
 * Turns the raw measurements into figures (percentiles, differences against the
 * upstream direct, ratios against the bare proxy of the same runtime, target checks)
 * and renders bench/RESULTS.md.
 */
import { fmt, median, slope, summary } from './stats.mjs';
import { SYSTEMS } from './systems.mjs';
import { OTEL_P50_GOAL_MS, renderOtel } from './otel.mjs';
import { PG_ADDED_P50_GOAL_MS, PG_INGEST_GOAL, renderPostgres } from './pg.mjs';

const BARE = { binary: 'bare-bun', node: 'bare-node', 'bare-bun': 'bare-bun', 'bare-node': 'bare-node' };
const ORDER = ['direct', 'bare-node', 'bare-bun', 'binary', 'node'];

/** What the summary `s` adds over the direct's `d` (all NaN without one): p50 − p50, p99 − p99, and p99 − the direct's p50. */
function added(s, d) {
  return d ? { p50: s.p50 - d.p50, p99: s.p99 - d.p99, strictP99: s.p99 - d.p50 } : { p50: NaN, p99: NaN, strictP99: NaN };
}

/** `name`'s raw `phase` and the direct's (`base`), the summary `s` of its samples and what they add over the direct's; null when `name` did not run it. */
function againstDirect(acc, name, phase) {
  const own = acc?.[name]?.[phase];
  const base = acc?.direct?.[phase];
  if (!own) return null;
  const s = summary(own.samples);
  return { own, base, s, add: added(s, base ? summary(base.samples) : null) };
}

function latency(acc, name, phase) {
  const m = againstDirect(acc, name, phase);
  if (!m) return null;
  const { s, add } = m;
  return { n: s.n, p50: s.p50, p99: s.p99, addP50: add.p50, addP99: add.p99, strictP99: add.strictP99 };
}

function stream(acc, name, phase) {
  const m = againstDirect(acc, name, phase);
  if (!m) return null;
  const { own, base, s: t, add } = m;
  const out = { ttfcP50: t.p50, ttfcP99: t.p99, addTtfcP50: add.p50, addTtfcP99: add.p99, strictTtfcP99: add.strictP99 };
  out.cpuUsPerChunk = median(own.rounds.map((r) => r.cpuUsPerChunk));
  // median skips the rounds without a figure (a system without JIT threads, an older run): NaN when none has one.
  out.jitUsPerChunk = median(own.rounds.map((r) => r.jitUsPerChunk));
  out.ok = own.rounds.reduce((s, r) => s + r.ok, 0);
  out.bad = own.rounds.reduce((s, r) => s + r.bad, 0);
  out.roundP99s = own.rounds.map((r) => r.ttfcP99).filter(Number.isFinite);
  if (own.gaps) {
    const g = summary(own.gaps);
    const gapAdd = added(g, base?.gaps ? summary(base.gaps) : null);
    Object.assign(out, { gapP50: g.p50, gapP99: g.p99, addGapP50: gapAdd.p50, addGapP99: gapAdd.p99 });
  }
  return out;
}

function throughput(acc, name) {
  const rounds = acc?.[name]?.tput?.rounds;
  if (!rounds) return null;
  const bare = acc?.[BARE[name]]?.tput?.rounds;
  const ratios = bare ? rounds.map((r, i) => r.rps / (bare[i]?.rps ?? NaN)) : [];
  return {
    rps: median(rounds.map((r) => r.rps)),
    ratio: median(ratios),
    cpuUs: median(rounds.map((r) => r.cpuUsPerReq)),
    jitUs: median(rounds.map((r) => r.jitUsPerReq)),
    errors: rounds.reduce((s, r) => s + r.errors, 0),
    tool: rounds[0]?.tool,
  };
}

function soakFigures(s) {
  if (!s) return null;
  const ys = s.series.map((p) => p[1]);
  const q = Math.max(1, Math.floor(ys.length / 4));
  const first = median(ys.slice(0, q));
  const last = median(ys.slice(-q));
  const half = s.series.slice(Math.floor(s.series.length / 2));
  const perMin = slope(half.map((p) => p[0] / 60), half.map((p) => p[1]));
  const growth = (last - first) / first;
  return {
    seconds: s.seconds, sent: s.sent, errors: s.errors, late: s.late, cpuPct: s.cpuPct, idleRss: s.idleRss,
    rssFirstQuarter: first, rssLastQuarter: last, rssMax: Math.max(...ys), growthPct: growth * 100, slopeMbPerMin: perMin,
    flat: growth <= 0.1,
    rows: s.rows.total, rowsOk: s.rows.byOutcome.ok ?? 0, exact: s.rows.total === s.sent && (s.rows.byOutcome.ok ?? 0) === s.sent,
  };
}

/**
 * The binary against the bare Bun proxy of the same run. Differences of p99s compare
 * pooled samples of the same rounds (the upstream direct's share cancels out); CPU
 * ratios are the median of per-round ratios, each round's two figures taken minutes
 * apart at most.
 */
function vsBare(raw, S) {
  const b = S.binary;
  const bare = S['bare-bun'];
  const perRound = (phase, field) => {
    const x = raw.acc?.binary?.[phase]?.rounds ?? [];
    const y = raw.acc?.['bare-bun']?.[phase]?.rounds ?? [];
    return median(x.map((r, i) => r[field] / (y[i]?.[field] ?? NaN)));
  };
  const p99 = (name) => (raw.many?.[name]?.ttfc?.length ? summary(raw.many[name].ttfc).p99 : NaN);
  const ttfc256 = { binary: p99('binary'), bare: p99('bare-bun') };
  return {
    ttfcP99: (b.sse20?.ttfcP99 ?? NaN) - (bare.sse20?.ttfcP99 ?? NaN),
    ttfc256: { ...ttfc256, diff: ttfc256.binary - ttfc256.bare },
    cpuChunkRatio: perRound('sse20', 'cpuUsPerChunk'),
    cpuCallDiff: median((raw.acc?.binary?.tput?.rounds ?? []).map((r, i) => r.cpuUsPerReq - (raw.acc?.['bare-bun']?.tput?.rounds?.[i]?.cpuUsPerReq ?? NaN))),
    p50One: (b.lat1k?.p50 ?? NaN) - (bare.lat1k?.p50 ?? NaN),
    p99One: (b.lat1k?.p99 ?? NaN) - (bare.lat1k?.p99 ?? NaN),
    p99Rate: (b.rate?.p99 ?? NaN) - (bare.rate?.p99 ?? NaN),
  };
}

export function summarize(raw) {
  const acc = raw.acc;
  const systems = {};
  for (const name of ORDER) {
    systems[name] = {
      label: SYSTEMS[name].label,
      lat1k: latency(acc, name, 'lat1k'),
      lat10k: latency(acc, name, 'lat10k'),
      rate: latency(acc, name, 'rate'),
      tput: throughput(acc, name),
      sse20: stream(acc, name, 'sse20'),
      sse0: stream(acc, name, 'sse0'),
      many: raw.many?.[name] ? { ok: raw.many[name].ok, total: raw.many[name].total, herdP99s: raw.many[name].herdP99s ?? [], firstP99s: raw.many[name].firstP99s ?? [] } : null,
      rss: { start: raw.rssStart?.[name], idle: raw.idleRss?.[name], idleSettled: raw.idleRssSettled?.[name], load: Math.max(raw.loadRss?.[name] ?? 0, raw.many?.[name]?.rss ?? 0) || NaN },
    };
  }
  const soak = { binary: soakFigures(raw.soak?.binary), node: soakFigures(raw.soak?.node) };
  const b = systems.binary;
  const bare = systems['bare-bun'];
  const vs = vsBare(raw, systems);
  const ing = raw.ingestion?.['bun:sqlite']?.callsPerSec;
  const ingUsers = raw.ingestion?.['bun:sqlite + user_id']?.callsPerSec;
  const rowsOk = (r) => r && r.exit === 0 && r.total >= r.upstream && r.total === (r.byOutcome.ok ?? 0) + (r.byOutcome.client_aborted ?? 0);
  // Issue 17's targets: the compiled binary against the bare Bun proxy measured in the same run.
  const t = (name, bareValue, value, versus, goal, pass, unit = '') => ({ name, bare: bareValue, value, versus, goal, unit, pass: Number.isNaN(versus) || versus === undefined ? null : pass });
  const none = NaN;
  const targets = [
    t(`stream time to first chunk p99, ${raw.cfg.streamConc} streams, chunks 20 ms apart`, bare.sse20?.ttfcP99, b.sse20?.ttfcP99, vs.ttfcP99, 'bare + ≤ 1 ms', vs.ttfcP99 <= 1, 'ms'),
    t('stream time to first chunk p99, 256 streams', vs.ttfc256.bare, vs.ttfc256.binary, vs.ttfc256.diff, 'bare + ≤ 1 ms', vs.ttfc256.diff <= 1, 'ms'),
    t('CPU µs per relayed chunk', bare.sse20?.cpuUsPerChunk, b.sse20?.cpuUsPerChunk, vs.cpuChunkRatio, '≤ 1.5× bare', vs.cpuChunkRatio <= 1.5, '×'),
    t('CPU µs per non-streamed call (64 connections)', bare.tput?.cpuUs, b.tput?.cpuUs, vs.cpuCallDiff, 'bare + ≤ 25 µs', vs.cpuCallDiff <= 25, 'µs'),
    t('throughput, 64 connections (req/s)', bare.tput?.rps, b.tput?.rps, b.tput?.ratio, '≥ 0.55× bare', b.tput?.ratio >= 0.55, '×'),
    t('added latency p50, 1 connection, 1 KB', bare.lat1k?.addP50, b.lat1k?.addP50, vs.p50One, 'bare + ≤ 0.05 ms', vs.p50One <= 0.05, 'ms'),
    t('added latency p99, 1 connection, 1 KB', bare.lat1k?.addP99, b.lat1k?.addP99, vs.p99One, 'bare + ≤ 0.5 ms', vs.p99One <= 0.5, 'ms'),
    t(`added latency p99 at ${raw.cfg.rate} req/s`, bare.rate?.addP99, b.rate?.addP99, vs.p99Rate, 'bare + ≤ 0.5 ms', vs.p99Rate <= 0.5, 'ms'),
    t('RSS under saturating load (MB)', bare.rss.load, b.rss.load, b.rss.load / bare.rss.load, '≤ 2× bare', b.rss.load / bare.rss.load <= 2, '×'),
    t('RSS idle after warm-up (MB)', bare.rss.idle, b.rss.idle, b.rss.idle, '≤ 60 MB', b.rss.idle <= 60, 'MB'),
    t('store ingestion, bun:sqlite, 3 tags, rollups (calls/s)', none, ing, ing, '≥ 100,000', ing >= 100_000, ''),
    t('store ingestion, bun:sqlite, 3 tags + user_id of 1,000 users: rollups and entity rows, held up to 1 s as serve holds them (calls/s)', none, ingUsers ?? NaN, ingUsers ?? NaN, '≥ 100,000', ingUsers >= 100_000, ''),
    t('256 concurrent streams byte-exact', none, b.many ? b.many.ok : NaN, b.many ? b.many.ok : NaN, b.many ? `${b.many.total} of ${b.many.total}` : 'all', b.many?.ok === b.many?.total, ''),
    t(`RSS growth over the soak (${fmt((soak.binary?.seconds ?? NaN) / 60, 1)} min)`, none, soak.binary?.growthPct, soak.binary?.growthPct, '≤ 10 % (flat)', soak.binary?.flat, '%'),
    t('budget check', none, raw.budget?.us ?? NaN, raw.budget?.us ?? NaN, '≤ 10 µs', raw.budget?.us <= 10, 'µs'),
    t('rows = requests (soak, exact)', none, soak.binary ? soak.binary.rows : NaN, soak.binary ? soak.binary.rows : NaN, soak.binary ? `${soak.binary.sent}` : '', soak.binary?.exact, ''),
    t('rows = requests (all load runs)', none, raw.rows?.binary?.total ?? NaN, raw.rows?.binary?.total ?? NaN, 'every request received', rowsOk(raw.rows?.binary), ''),
    t('OpenTelemetry export on: added p50, 1 connection', none, raw.otel?.latency.addP50 ?? NaN, raw.otel?.latency.addP50 ?? NaN, `≤ ${OTEL_P50_GOAL_MS} ms`, raw.otel?.latency.addP50 <= OTEL_P50_GOAL_MS, 'ms'),
    t('PostgreSQL ingestion, one replica (calls/s)', none, raw.postgres?.ingest.callsPerSec ?? NaN, raw.postgres?.ingest.callsPerSec ?? NaN, `≥ ${PG_INGEST_GOAL.toLocaleString('en-US')}`, raw.postgres?.ingest.callsPerSec >= PG_INGEST_GOAL, ''),
    t('binary on PostgreSQL vs SQLite: added p50', none, raw.postgres?.latency.addP50 ?? NaN, raw.postgres?.latency.addP50 ?? NaN, `≤ +${PG_ADDED_P50_GOAL_MS} ms`, raw.postgres?.latency.addP50 <= PG_ADDED_P50_GOAL_MS, 'ms'),
  ];
  return { systems, soak, rows: raw.rows, ingestion: raw.ingestion, budget: raw.budget, reports: raw.reports, targets };
}

const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (head, rows) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const ms = (v) => fmt(v, 3);
const mark = (p) => (p === null ? 'n/a' : p ? '✅' : '❌');

/** The speed probe's workloads, as RESULTS.md names them. */
const SPEED_KINDS = [['js', 'JavaScript'], ['sqlite', 'SQLite writes'], ['loopback', 'loopback round trips']];
const SPEED_LINE = /\*\*Machine speed\*\*: [^\n]*?JavaScript ([\d.]+) ms, SQLite writes ([\d.]+) ms, loopback round trips ([\d.]+) ms at the start/;
/** The first probe's line (JavaScript only, 2026-12-03). */
const SPEED_LINE_V1 = /\*\*Machine speed\*\*: [^\n]*? took ([\d.]+) ms at the start/;

/** The speed probe's start readings (ms) in an earlier RESULTS.md, or null. */
export function previousSpeed(markdown) {
  const m = SPEED_LINE.exec(markdown);
  if (m) return { js: Number(m[1]), sqlite: Number(m[2]), loopback: Number(m[3]) };
  const v1 = SPEED_LINE_V1.exec(markdown);
  return v1 ? { js: Number(v1[1]) } : null;
}

/**
 * The machine speed line: the probe at the start and the end of this run and in the
 * previous results, flagged when a workload's start and end differ by more than 15 % or
 * this run started more than 20 % slower than the previous one on any workload.
 */
function speedLine({ start, end, previous }) {
  if (!start || !end) return '- **Machine speed**: not measured (bench/speed-probe.mjs failed).';
  const readings = (r) => SPEED_KINDS.map(([k]) => (r?.[k] === undefined ? '—' : fmt(r[k], 1))).join(' / ');
  const ratio = (a, b) => Math.max(...SPEED_KINDS.filter(([k]) => a[k] > 0 && b?.[k] > 0).map(([k]) => a[k] / b[k]), 1);
  const drift = Math.max(ratio(start, end), ratio(end, start)) - 1;
  const slower = previous ? ratio(start, previous) - 1 : 0;
  const notes = [];
  if (drift > 0.15) notes.push(`**the machine's speed changed by ${fmt(100 * drift, 0)} % during the run: rounds are interleaved, but phases run at different times**`);
  if (slower > 0.2) notes.push(`**this run's machine was up to ${fmt(100 * slower, 0)} % slower than the previous run's: CPU µs and latencies are inflated for every system; differences against the bare proxy grow with them, ratios much less**`);
  const kinds = SPEED_KINDS.map(([k, name]) => `${name} ${fmt(start[k], 1)} ms`).join(', ');
  const before = previous ? `; the previous RESULTS.md read ${readings(previous)} ms` : '';
  return `- **Machine speed**: bench/speed-probe.mjs (fixed workloads on the system-under-test CPU; lower is faster): ${kinds} at the start of the run, ${readings(end)} ms at the end${before}${notes.length ? ` — ${notes.join('; ')}` : ''}.`;
}

export function renderMarkdown(raw, f) {
  const m = raw.meta;
  const mc = m.machine;
  const names = ORDER.filter((n) => f.systems[n].lat1k || f.systems[n].many);
  const S = f.systems;
  /** Seconds after the warm-up of the second idle RSS reading; null when the run took none (quick runs). */
  const settledS = raw.cfg.idleSettleMs > 1000 ? raw.cfg.idleSettleMs / 1000 : null;
  const out = [];
  out.push('# tokometer benchmark results', '', '_Written by `bench/run.mjs`; do not edit by hand — rerun the command below._', '');
  out.push(`- **Date**: ${m.date}`, `- **Command**: \`${m.command}\` (${raw.quick ? 'quick' : 'full'} run, ${fmt(m.seconds, 0)} s), on \`dist/\` as built (\`npm run build\` first)`);
  out.push(`- **Machine**: ${mc.nproc} CPUs, ${mc.cpuModel}${mc.hypervisor ? ` (${mc.hypervisor} VM)` : ''}, ${mc.memGiB} GiB RAM, Linux ${mc.kernel}${mc.distro ? `, ${mc.distro}` : ''}; Node ${mc.node}, Bun ${mc.bun}`);
  out.push(`- **Setup**: all traffic on 127.0.0.1; ${m.plan.pinned ? `load generator and fake upstream (Bun) pinned to CPU ${m.plan.loadgen}, each system under test to CPU ${m.plan.sut} (taskset)` : 'no CPU pinning (taskset missing or one CPU)'}; throughput with ${m.tools.wrk ? 'wrk (1 thread, 64 connections)' : 'the built-in Node client (64 connections)'}; every other load from the built-in raw-socket client. Each system warmed up (3,000 + 1,000 sequential requests, 40 streams; idle RSS read 1 s later${settledS !== null ? ` and ${settledS} s later` : ''}), then settled under 64 connections for ${(raw.cfg.settleMs ?? 0) / 1000} s${raw.settleJitMs && Object.keys(raw.settleJitMs).length ? ` (JIT compiler CPU in its last second: ${Object.entries(raw.settleJitMs).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')})` : ''}${raw.cfg.warmRounds ? `, then ran ${raw.cfg.warmRounds} round${raw.cfg.warmRounds === 1 ? "" : "s"} of every phase that ${raw.cfg.warmRounds === 1 ? "was" : "were"} thrown away (JIT compiler CPU in each: ${Object.entries(raw.warmRoundsJitMs ?? {}).map(([k, v]) => `${k} ${v.map((x) => x.toFixed(0)).join(' / ')} ms`).join(', ')})` : ''}. ${raw.cfg.rounds} interleaved rounds that count; "added" = the system minus the upstream direct, from samples pooled over the same rounds.${raw.serveAllocatorEnv ? ` Allocator: tokometer's \`serve\` on Bun starts with ${Object.entries(raw.serveAllocatorEnv).map(([k, v]) => `\`${k}=${v}\``).join(', ')} (it sets it for itself, src/server/bun-serve-relaunch.ts); the bare proxies run their runtime's defaults (bench/README.md, "The allocator's hole sweeps").` : ''}`);
  const bg = m.background;
  if (bg) {
    const busy = bg.sharePct > 5;
    out.push(`- **Load during the run**: ${fmt(bg.cpuSeconds, 0)} CPU-seconds used by other processes while the bench ran (${fmt(bg.sharePct, 0)} % of the machine; load average ${fmt(bg.loadAvgAtStart, 2)} at start, ${fmt(bg.loadAvgAtEnd, 2)} at the end)${busy ? ' — **the machine was shared: tail latencies (p99) and throughput are inflated by that contention; ratios from interleaved rounds and CPU µs per request are the more robust figures**' : ''}.`);
  }
  if (m.speed) out.push(speedLine(m.speed));
  out.push('', '## Targets (issue 17: the compiled binary against the bare Bun proxy in the same run)', '');
  const val = (v, unit) => fmt(v, unit === 'ms' ? 3 : unit === '' ? 0 : 2);
  const versus = (t) => (t.unit === '×' ? `${fmt(t.versus, 2)}×` : t.goal.startsWith('bare +') ? `${t.versus >= 0 ? '+' : ''}${val(t.versus, t.unit)} ${t.unit}` : `${val(t.versus, t.unit)} ${t.unit}`.trim());
  out.push(table(['target', 'bare Bun proxy', 'binary', 'binary vs bare', 'goal', 'met'], f.targets.map((t) => [t.name, Number.isNaN(t.bare) ? '—' : val(t.bare, t.unit === '×' ? 'µs' : t.unit), val(t.value, t.unit === '×' ? 'µs' : t.unit), versus(t), t.goal, mark(t.pass)])));
  out.push('', 'Latencies are in ms, CPU in µs of the process\'s own CPU time (all its threads, from /proc schedstat) per request or per relayed chunk (a stream\'s own request cost spread over its 64 chunks). "binary vs bare" is the difference (or ratio) of the two systems measured in the same interleaved rounds, so load from elsewhere on the machine touches both; CPU figures are the least disturbed by it.');
  const jit = (n) => `${S[n].label} ${fmt(S[n].tput?.jitUs, 2)} µs per call and ${fmt(S[n].sse20?.jitUsPerChunk, 2)} µs per chunk`;
  const jitNames = ['bare-bun', 'binary'].filter((n) => Number.isFinite(S[n]?.tput?.jitUs) || Number.isFinite(S[n]?.sse20?.jitUsPerChunk));
  if (jitNames.length > 0) out.push('', `Of those CPU figures, JavaScriptCore's compiler threads (JITWorker) took (medians over the rounds): ${jitNames.map(jit).join('; ')}. That is code still being compiled during the measured rounds; a proxy that has run for a while no longer pays it.`);
  /** Per-round or per-herd p99s (ms), as one list. */
  const list = (v) => v.map((x) => fmt(x, 1)).join(' / ');
  const streamRounds = ['bare-bun', 'binary'].filter((n) => S[n]?.sse20?.roundP99s?.length);
  if (streamRounds.length > 0) out.push('', `${raw.cfg.streamConc} streams: ${raw.cfg.streamConc * (raw.cfg.streamBatches ?? 1)} per system in each of ${raw.cfg.streamRounds} interleaved rounds, TTFC samples pooled over them (each round's own p99: ${streamRounds.map((n) => `${S[n].label} ${list(S[n].sse20.roundP99s)} ms`).join(', ')}).`);
  const herds = ['bare-bun', 'binary'].filter((n) => S[n]?.many?.herdP99s?.length);
  if (herds.length > 0) {
    const first = raw.cfg.herdWarmRounds ? `; the herd${raw.cfg.herdWarmRounds === 1 ? '' : 's'} thrown away before them, each process's first of 256: ${herds.map((n) => `${S[n].label} ${list(S[n].many.firstP99s)} ms`).join(', ')}` : '';
    out.push('', `256 streams written together: ${raw.cfg.herds} herd${raw.cfg.herds === 1 ? '' : 's'} per system in interleaved rounds, TTFC samples pooled over them (each herd's own p99: ${herds.map((n) => `${S[n].label} ${list(S[n].many.herdP99s)} ms`).join(', ')})${first}.`);
  }
  out.push('', '## Latency, one connection (ms)', '');
  out.push(table(['system', '1 KB p50', '1 KB p99', 'added p50', 'added p99', '10 KB p50', '10 KB p99', 'added p50', 'added p99'],
    names.filter((n) => S[n].lat1k).map((n) => [S[n].label, ms(S[n].lat1k.p50), ms(S[n].lat1k.p99), ms(S[n].lat1k.addP50), ms(S[n].lat1k.addP99), ms(S[n].lat10k.p50), ms(S[n].lat10k.p99), ms(S[n].lat10k.addP50), ms(S[n].lat10k.addP99)])));
  out.push('', `## Latency at a fixed rate of ${raw.cfg.rate} req/s, 1 KB, 32 connections (ms)`, '');
  out.push(table(['system', 'p50', 'p99', 'added p50', 'added p99', 'samples'],
    names.filter((n) => S[n].rate).map((n) => [S[n].label, ms(S[n].rate.p50), ms(S[n].rate.p99), ms(S[n].rate.addP50), ms(S[n].rate.addP99), fmt(S[n].rate.n, 0)])));
  out.push('', '## Maximum throughput, 1 KB, 64 connections', '');
  out.push(table(['system', 'req/s', '× bare proxy (same runtime)', 'CPU µs per request', 'RSS under load (MB)', 'errors'],
    names.filter((n) => S[n].tput).map((n) => [S[n].label, fmt(S[n].tput.rps, 0), n === 'direct' ? '—' : `${fmt(S[n].tput.ratio, 2)}×`, fmt(S[n].tput.cpuUs, 1), fmt(S[n].rss.load, 1), fmt(S[n].tput.errors, 0)])));
  out.push('', `## Streams: 64 chunks 20 ms apart (${raw.cfg.streamConc} concurrent, ${raw.cfg.streamBatches ?? 1} in turn on each connection, first starts staggered over 20 ms) and instant (ms)`, '');
  out.push(table(['system', 'TTFC p50', 'TTFC p99', 'added p50', 'added p99', 'gap p50', 'gap p99', 'added gap p50', 'added gap p99', 'CPU µs per chunk', 'instant: added TTFC p99', '256 concurrent: intact'],
    names.filter((n) => S[n].sse20 || S[n].many).map((n) => {
      const s = S[n].sse20 ?? {};
      return [S[n].label, ms(s.ttfcP50), ms(s.ttfcP99), ms(s.addTtfcP50), ms(s.addTtfcP99), ms(s.gapP50), ms(s.gapP99), ms(s.addGapP50), ms(s.addGapP99), fmt(s.cpuUsPerChunk, 1), ms(S[n].sse0?.addTtfcP99), S[n].many ? `${S[n].many.ok}/${S[n].many.total}` : 'n/a'];
    })));
  out.push('', '"Intact" = the stream reached the client byte for byte as the upstream sent it (tokometer injects `include_usage` and strips the extra usage chunk, so the client sees exactly the 64 chunks and `[DONE]`).');

  out.push('', '## Memory (RSS, MB)', '');
  out.push(table(['system', 'at start', 'idle 1 s after warm-up', ...(settledS !== null ? [`idle ${settledS} s after warm-up`] : []), 'under load (max)'],
    names.filter((n) => n !== 'direct').map((n) => [S[n].label, fmt(S[n].rss.start, 1), fmt(S[n].rss.idle, 1), ...(settledS !== null ? [fmt(S[n].rss.idleSettled, 1)] : []), fmt(S[n].rss.load, 1)])));
  const soaks = Object.entries(f.soak).filter(([, v]) => v);
  if (soaks.length) {
    out.push('', `### Soak: fixed ${raw.cfg.soakRate} req/s mix (3× 1 KB, 1× 10 KB, 1× instant stream), fresh instance`, '');
    out.push(table(['instance', 'duration', 'requests', 'errors', 'CPU %', 'RSS idle', 'RSS first ¼', 'RSS last ¼', 'max', 'growth', 'slope 2nd half', 'rows', 'rows = requests'],
      soaks.map(([k, v]) => [k, `${fmt(v.seconds, 0)} s`, fmt(v.sent, 0), fmt(v.errors, 0), fmt(v.cpuPct, 0), fmt(v.idleRss, 1), fmt(v.rssFirstQuarter, 1), fmt(v.rssLastQuarter, 1), fmt(v.rssMax, 1), `${fmt(v.growthPct, 1)} %`, `${fmt(v.slopeMbPerMin, 2)} MB/min`, fmt(v.rows, 0), mark(v.exact)])));
  }
  if (f.rows && Object.keys(f.rows).length) {
    out.push('', '## Recording: rows after SIGTERM (main instances, all phases above)', '');
    out.push(table(['instance', 'forwarded to upstream', 'rows', 'ok', 'client aborted', 'priced', 'exit'],
      Object.entries(f.rows).map(([k, r]) => [k, fmt(r.upstream, 0), fmt(r.total, 0), fmt(r.byOutcome.ok ?? 0, 0), fmt(r.byOutcome.client_aborted ?? 0, 0), fmt(r.costed, 0), String(r.exit)])));
    out.push('', 'wrk stops with requests in flight; tokometer records those as `client_aborted` (a few may never reach the upstream), so rows ≥ forwarded and every row is ok or aborted.');
  }
  out.push('', '## Store, budget check, reports', '');
  const ing = Object.entries(f.ingestion ?? {});
  if (ing.length) out.push(table(['store ingestion (CallWriter.insertCalls in the write queue\'s batches, 3 tags per call)', 'calls', 'warm-up calls (not timed)', 'batch', 'calls/s'], ing.map(([k, v]) => [k, fmt(v.calls, 0), fmt(v.warmCalls ?? 0, 0), fmt(v.batch, 0), fmt(v.callsPerSec, 0)])), '');
  out.push(`Budget check: ${f.budget?.status === 'ok' ? `**${fmt(f.budget.us, 2)} µs**` : `${f.budget?.status ?? 'not run'}${f.budget?.note ? ` (${f.budget.note})` : ''}`}`, '');
  const rep = Object.entries(f.reports?.sizes ?? {});
  if (rep.length) {
    out.push(table(['`report --by feature --since 30d --format json`', 'binary (s)', 'Node (s)', 'totals correct', 'DB size', 'filled at'],
      rep.map(([n, e]) => [`${Number(n).toLocaleString('en-US')} calls`, fmt(e.bun.seconds, 2), fmt(e.node.seconds, 2), mark(e.bun.correct && e.node.correct), `${fmt(e.dbBytes / 2 ** 20, 0)} MB`, `${fmt(e.fillCallsPerSec, 0)} calls/s`])));
  }
  if (raw.otel) out.push(...renderOtel(raw.otel));
  if (raw.postgres) out.push(...renderPostgres(raw.postgres));
  return `${out.join('\n')}\n`;
}
