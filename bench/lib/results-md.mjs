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

function latency(acc, name, phase) {
  const own = acc?.[name]?.[phase];
  const base = acc?.direct?.[phase];
  if (!own) return null;
  const s = summary(own.samples);
  const d = base ? summary(base.samples) : null;
  return { n: s.n, p50: s.p50, p99: s.p99, addP50: d ? s.p50 - d.p50 : NaN, addP99: d ? s.p99 - d.p99 : NaN, strictP99: d ? s.p99 - d.p50 : NaN };
}

function stream(acc, name, phase) {
  const own = acc?.[name]?.[phase];
  const base = acc?.direct?.[phase];
  if (!own) return null;
  const t = summary(own.samples);
  const bt = base ? summary(base.samples) : null;
  const out = { ttfcP50: t.p50, ttfcP99: t.p99, addTtfcP50: bt ? t.p50 - bt.p50 : NaN, addTtfcP99: bt ? t.p99 - bt.p99 : NaN, strictTtfcP99: bt ? t.p99 - bt.p50 : NaN };
  out.ok = own.rounds.reduce((s, r) => s + r.ok, 0);
  out.bad = own.rounds.reduce((s, r) => s + r.bad, 0);
  if (own.gaps) {
    const g = summary(own.gaps);
    const bg = base?.gaps ? summary(base.gaps) : null;
    Object.assign(out, { gapP50: g.p50, gapP99: g.p99, addGapP50: bg ? g.p50 - bg.p50 : NaN, addGapP99: bg ? g.p99 - bg.p99 : NaN });
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
      many: raw.many?.[name] ? { ok: raw.many[name].ok, total: raw.many[name].total } : null,
      rss: { start: raw.rssStart?.[name], idle: raw.idleRss?.[name], load: Math.max(raw.loadRss?.[name] ?? 0, raw.many?.[name]?.rss ?? 0) || NaN },
    };
  }
  const soak = { binary: soakFigures(raw.soak?.binary), node: soakFigures(raw.soak?.node) };
  const b = systems.binary;
  const ing = raw.ingestion?.['bun:sqlite']?.callsPerSec;
  const rowsOk = (r) => r && r.exit === 0 && r.total >= r.upstream && r.total === (r.byOutcome.ok ?? 0) + (r.byOutcome.client_aborted ?? 0);
  const t = (name, value, goal, pass, unit = '') => ({ name, value, goal, unit, pass: Number.isNaN(value) || value === undefined ? null : pass });
  const targets = [
    t('added latency p50, 1 connection, 1 KB', b.lat1k?.addP50, '≤ 0.25 ms', b.lat1k?.addP50 <= 0.25, 'ms'),
    t('added latency p99, 1 connection, 1 KB ¹', b.lat1k?.strictP99, '≤ 1 ms', b.lat1k?.strictP99 <= 1, 'ms'),
    t(`added latency p50 at ${raw.cfg.rate} req/s`, b.rate?.addP50, '≤ 0.25 ms', b.rate?.addP50 <= 0.25, 'ms'),
    t(`added latency p99 at ${raw.cfg.rate} req/s ¹`, b.rate?.strictP99, '≤ 1 ms', b.rate?.strictP99 <= 1, 'ms'),
    t('throughput vs bare Bun proxy', b.tput?.ratio, '≥ 0.8×', b.tput?.ratio >= 0.8, '×'),
    t('stream time to first chunk, added p99 ¹', b.sse20?.strictTtfcP99, '≤ 1 ms', b.sse20?.strictTtfcP99 <= 1, 'ms'),
    t('256 concurrent streams intact', b.many ? b.many.ok : NaN, b.many ? `${b.many.total} of ${b.many.total}` : 'all', b.many?.ok === b.many?.total, ''),
    t('RSS under load', b.rss.load, '≤ 100 MB', b.rss.load <= 100, 'MB'),
    t(`RSS growth over the soak (${fmt((soak.binary?.seconds ?? NaN) / 60, 1)} min)`, soak.binary?.growthPct, '≤ 10 % (flat)', soak.binary?.flat, '%'),
    t('store ingestion (bun:sqlite)', ing, '≥ 100,000 calls/s', ing >= 100_000, 'calls/s'),
    t('budget check', raw.budget?.us ?? NaN, '≤ 10 µs', raw.budget?.us <= 10, 'µs'),
    t('rows = requests (soak, exact)', soak.binary ? soak.binary.rows : NaN, soak.binary ? `${soak.binary.sent}` : '', soak.binary?.exact, ''),
    t('rows = requests (all load runs)', raw.rows?.binary?.total ?? NaN, 'every request received', rowsOk(raw.rows?.binary), ''),
    t('OpenTelemetry export on: added p50, 1 connection', raw.otel?.latency.addP50 ?? NaN, `≤ ${OTEL_P50_GOAL_MS} ms`, raw.otel?.latency.addP50 <= OTEL_P50_GOAL_MS, 'ms'),
    t('PostgreSQL ingestion, one replica', raw.postgres?.ingest.callsPerSec ?? NaN, `≥ ${PG_INGEST_GOAL.toLocaleString('en-US')} calls/s`, raw.postgres?.ingest.callsPerSec >= PG_INGEST_GOAL, 'calls/s'),
    t('binary on PostgreSQL vs SQLite: added p50', raw.postgres?.latency.addP50 ?? NaN, `≤ +${PG_ADDED_P50_GOAL_MS} ms`, raw.postgres?.latency.addP50 <= PG_ADDED_P50_GOAL_MS, 'ms'),
  ];
  return { systems, soak, rows: raw.rows, ingestion: raw.ingestion, budget: raw.budget, reports: raw.reports, targets };
}

const row = (cells) => `| ${cells.join(' | ')} |`;
const table = (head, rows) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const ms = (v) => fmt(v, 3);
const mark = (p) => (p === null ? 'n/a' : p ? '✅' : '❌');

export function renderMarkdown(raw, f) {
  const m = raw.meta;
  const mc = m.machine;
  const names = ORDER.filter((n) => f.systems[n].lat1k || f.systems[n].many);
  const S = f.systems;
  const out = [];
  out.push('# tokometer benchmark results', '', '_Written by `bench/run.mjs`; do not edit by hand — rerun the command below._', '');
  out.push(`- **Date**: ${m.date}`, `- **Command**: \`${m.command}\` (${raw.quick ? 'quick' : 'full'} run, ${fmt(m.seconds, 0)} s), on \`dist/\` as built (\`npm run build\` first)`);
  out.push(`- **Machine**: ${mc.nproc} CPUs, ${mc.cpuModel}${mc.hypervisor ? ` (${mc.hypervisor} VM)` : ''}, ${mc.memGiB} GiB RAM, Linux ${mc.kernel}${mc.distro ? `, ${mc.distro}` : ''}; Node ${mc.node}, Bun ${mc.bun}`);
  out.push(`- **Setup**: all traffic on 127.0.0.1; ${m.plan.pinned ? `load generator and fake upstream (Bun) pinned to CPU ${m.plan.loadgen}, each system under test to CPU ${m.plan.sut} (taskset)` : 'no CPU pinning (taskset missing or one CPU)'}; throughput with ${m.tools.wrk ? 'wrk (1 thread, 64 connections)' : 'the built-in Node client (64 connections)'}; every other load from the built-in raw-socket client. ${raw.cfg.rounds} interleaved rounds; "added" = the system minus the upstream direct, from samples pooled over the same rounds.`);
  const bg = m.background;
  if (bg) {
    const busy = bg.sharePct > 5;
    out.push(`- **Other load on the machine**: ${fmt(bg.cpuSeconds, 0)} CPU-seconds used by other processes during the run (${fmt(bg.sharePct, 0)} % of the machine; load average ${fmt(bg.loadAvgAtStart, 2)} at start)${busy ? ' — **the machine was shared: tail latencies (p99) and throughput are inflated by that contention; ratios from interleaved rounds and CPU µs per request are the more robust figures**' : ''}.`);
  }
  out.push('', '## Targets (compiled binary)', '');
  out.push(table(['target', 'measured', 'goal', 'met'], f.targets.map((t) => [t.name, `${fmt(t.value, t.unit === 'ms' ? 3 : t.unit === '' ? 0 : 2)} ${t.unit}`.trim(), t.goal, mark(t.pass)])));

  out.push('', '¹ Target checks take p99 conservatively as the system\'s p99 minus the upstream direct\'s **median**, so noise in the direct\'s own tail can never make a target pass; the tables below show both p99s and their plain difference.');
  out.push('', '## Latency, one connection (ms)', '');
  out.push(table(['system', '1 KB p50', '1 KB p99', 'added p50', 'added p99', '10 KB p50', '10 KB p99', 'added p50', 'added p99'],
    names.filter((n) => S[n].lat1k).map((n) => [S[n].label, ms(S[n].lat1k.p50), ms(S[n].lat1k.p99), ms(S[n].lat1k.addP50), ms(S[n].lat1k.addP99), ms(S[n].lat10k.p50), ms(S[n].lat10k.p99), ms(S[n].lat10k.addP50), ms(S[n].lat10k.addP99)])));
  out.push('', `## Latency at a fixed rate of ${raw.cfg.rate} req/s, 1 KB, 32 connections (ms)`, '');
  out.push(table(['system', 'p50', 'p99', 'added p50', 'added p99', 'samples'],
    names.filter((n) => S[n].rate).map((n) => [S[n].label, ms(S[n].rate.p50), ms(S[n].rate.p99), ms(S[n].rate.addP50), ms(S[n].rate.addP99), fmt(S[n].rate.n, 0)])));
  out.push('', '## Maximum throughput, 1 KB, 64 connections', '');
  out.push(table(['system', 'req/s', '× bare proxy (same runtime)', 'CPU µs per request', 'RSS under load (MB)', 'errors'],
    names.filter((n) => S[n].tput).map((n) => [S[n].label, fmt(S[n].tput.rps, 0), n === 'direct' ? '—' : `${fmt(S[n].tput.ratio, 2)}×`, fmt(S[n].tput.cpuUs, 1), fmt(S[n].rss.load, 1), fmt(S[n].tput.errors, 0)])));
  out.push('', `## Streams: 64 chunks 20 ms apart (${raw.cfg.streamConc} concurrent, starts staggered over 20 ms) and instant (ms)`, '');
  out.push(table(['system', 'TTFC p50', 'TTFC p99', 'added p50', 'added p99', 'gap p50', 'gap p99', 'added gap p50', 'added gap p99', 'instant: added TTFC p99', '256 concurrent: intact'],
    names.filter((n) => S[n].sse20 || S[n].many).map((n) => {
      const s = S[n].sse20 ?? {};
      return [S[n].label, ms(s.ttfcP50), ms(s.ttfcP99), ms(s.addTtfcP50), ms(s.addTtfcP99), ms(s.gapP50), ms(s.gapP99), ms(s.addGapP50), ms(s.addGapP99), ms(S[n].sse0?.addTtfcP99), S[n].many ? `${S[n].many.ok}/${S[n].many.total}` : 'n/a'];
    })));
  out.push('', '"Intact" = the stream reached the client byte for byte as the upstream sent it (tokometer injects `include_usage` and strips the extra usage chunk, so the client sees exactly the 64 chunks and `[DONE]`).');

  out.push('', '## Memory (RSS, MB)', '');
  out.push(table(['system', 'at start', 'idle after warm-up', 'under load (max)'],
    names.filter((n) => n !== 'direct').map((n) => [S[n].label, fmt(S[n].rss.start, 1), fmt(S[n].rss.idle, 1), fmt(S[n].rss.load, 1)])));
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
  if (ing.length) out.push(table(['store ingestion (CallWriter.insertCalls, batches of 1000, 3 tags per call)', 'calls', 'calls/s'], ing.map(([k, v]) => [k, fmt(v.calls, 0), fmt(v.callsPerSec, 0)])), '');
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
