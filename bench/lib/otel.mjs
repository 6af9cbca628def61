/**
 * What OpenTelemetry export costs: the compiled binary with export off against the same
 * binary exporting every call (spans + metrics, http/protobuf) to a local OTLP sink that
 * discards, in interleaved rounds of one-connection latency (1 KB, with a traceparent),
 * plus CPU µs per request, and start-up time and idle RSS of both builds with export
 * off and on (the SDK is only loaded when export is on).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildRequest } from './http-client.mjs';
import { requestSpec, sequential } from './load.mjs';
import { appendAll, fmt, median, summary } from './stats.mjs';
import { startServer, startSystem, tokometerCommand } from './systems.mjs';
import { cpuMs, pinned, rssMb } from './tools.mjs';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
/** The added p50 export may cost (ms), issue #20. */
export const OTEL_P50_GOAL_MS = 0.02;

/** Starts the OTLP sink (Bun) on `cpu`. */
export async function startSink({ root, cpu, bun }) {
  const s = await startServer('otlp-sink', bun, [join(root, 'bench/otlp-sink.mjs')], { cpu, cwd: root });
  return { ...s, url: `http://127.0.0.1:${s.port}` };
}

function request(sys) {
  const spec = requestSpec(sys, '1k');
  return buildRequest({ ...spec, headers: { ...spec.headers, traceparent: TRACEPARENT } });
}

/**
 * Interleaved latency rounds on two binaries (export off / on). opts: { root, tmp, upstreamUrl,
 * sinkUrl, cpu, bun, rounds, roundMs, warmMs, log }.
 */
async function latencyRounds(opts) {
  const base = { root: opts.root, tmp: opts.tmp, upstreamUrl: opts.upstreamUrl, cpu: opts.cpu, bun: opts.bun };
  const off = await startSystem('binary', { ...base, dirName: 'otel-off', as: 'otel-off' });
  const on = await startSystem('binary', { ...base, dirName: 'otel-on', as: 'otel-on', env: { OTEL_EXPORTER_OTLP_ENDPOINT: opts.sinkUrl } });
  const systems = [off, on];
  const acc = { 'otel-off': { samples: [], p50s: [], cpuMs: 0, n: 0 }, 'otel-on': { samples: [], p50s: [], cpuMs: 0, n: 0 } };
  try {
    for (const sys of systems) await sequential(sys.port, request(sys), { durationMs: opts.warmMs });
    for (let r = 0; r < opts.rounds; r++) {
      for (const sys of r % 2 ? [on, off] : [off, on]) {
        const cpu0 = cpuMs(sys.pid);
        const lat = await sequential(sys.port, request(sys), { durationMs: opts.roundMs });
        const a = acc[sys.name];
        a.cpuMs += cpuMs(sys.pid) - cpu0;
        a.n += lat.length;
        appendAll(a.samples, lat);
        a.p50s.push(summary(lat).p50);
      }
      opts.log(`otel round ${r + 1}/${opts.rounds}: p50 off ${fmt(acc['otel-off'].p50s.at(-1), 3)} ms, on ${fmt(acc['otel-on'].p50s.at(-1), 3)} ms`);
    }
    const rss = { off: rssMb(off.pid), on: rssMb(on.pid) };
    const fig = (a) => ({ ...summary(a.samples), cpuUsPerReq: (a.cpuMs * 1000) / Math.max(1, a.n) });
    const f = { off: fig(acc['otel-off']), on: fig(acc['otel-on']), rssAfterLoad: rss };
    f.addP50 = f.on.p50 - f.off.p50;
    f.addP99 = f.on.p99 - f.off.p99;
    f.addP50Rounds = median(acc['otel-on'].p50s.map((v, i) => v - acc['otel-off'].p50s[i]));
    f.addCpuUs = f.on.cpuUsPerReq - f.off.cpuUsPerReq;
    return f;
  } finally {
    for (const s of systems) await s.stop();
  }
}

/** ms from spawn to the "listening on" line, and RSS 500 ms later, of `serve` on an empty database. */
async function startOnce({ root, tmp, runtime, env, cpu, i }) {
  const [cmd, args] = tokometerCommand(root, runtime);
  const [c, a] = pinned(cpu, cmd, [...args, 'serve', '--port', '0', '--db', join(tmp, `startup-${runtime}-${i}.db`)]);
  const t0 = performance.now();
  const proc = spawn(c, a, { cwd: tmp, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] });
  const ms = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${runtime} serve did not start`)), 20_000);
    proc.stdout.on('data', (d) => {
      out += d.toString();
      if (/listening on http/.test(out)) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    });
    proc.once('exit', (code) => reject(new Error(`${runtime} serve exited ${code}`)));
  });
  await new Promise((r) => setTimeout(r, 500));
  const rss = rssMb(proc.pid);
  await new Promise((resolve) => {
    proc.removeAllListeners('exit');
    proc.once('exit', resolve);
    proc.kill('SIGTERM');
  });
  return { ms, rss };
}

/** Start-up ms and idle RSS (medians of `runs`), both builds, export off and on, alternating. */
async function startup({ root, tmp, sinkUrl, cpu, runs }) {
  const out = {};
  for (const runtime of ['bun', 'node']) {
    const per = { off: [], on: [] };
    for (let i = 0; i < runs; i++) {
      for (const mode of i % 2 ? ['on', 'off'] : ['off', 'on']) {
        per[mode].push(await startOnce({ root, tmp, runtime, cpu, i: `${mode}-${i}`, env: mode === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl } : {} }));
      }
    }
    out[runtime === 'bun' ? 'binary' : 'node'] = Object.fromEntries(Object.entries(per).map(([k, v]) => [k, { ms: median(v.map((x) => x.ms)), rss: median(v.map((x) => x.rss)) }]));
  }
  return out;
}

/** The whole OpenTelemetry phase. opts: { root, tmp, upstreamUrl, sink, cpu, bun, quick, log }. */
export async function otelOverhead(opts) {
  const rounds = opts.quick ? 4 : 8;
  opts.log(`otel: ${rounds} interleaved rounds, binary with export off vs on (to ${opts.sink.url})`);
  const latency = await latencyRounds({ ...opts, sinkUrl: opts.sink.url, rounds, roundMs: opts.quick ? 2000 : 4000, warmMs: 2000 });
  const sink = await (await fetch(`${opts.sink.url}/__stats`)).json();
  opts.log(`otel: added p50 ${fmt(latency.addP50, 4)} ms (median of rounds ${fmt(latency.addP50Rounds, 4)} ms), added p99 ${fmt(latency.addP99, 3)} ms, +${fmt(latency.addCpuUs, 1)} CPU µs/request`);
  const start = await startup({ root: opts.root, tmp: opts.tmp, sinkUrl: opts.sink.url, cpu: opts.cpu, runs: opts.quick ? 3 : 5 });
  opts.log(`otel: start-up ${Object.entries(start).map(([b, v]) => `${b} ${fmt(v.off.ms, 0)} → ${fmt(v.on.ms, 0)} ms, RSS ${fmt(v.off.rss, 1)} → ${fmt(v.on.rss, 1)} MB`).join('; ')}`);
  return { rounds, latency, startup: start, sink };
}

/** RESULTS.md section for the phase. */
export function renderOtel(o) {
  const L = o.latency;
  const row = (cells) => `| ${cells.join(' | ')} |`;
  const lines = [
    '',
    `## OpenTelemetry export (binary, export off vs on to a local OTLP sink, ${o.rounds} interleaved rounds, 1 KB with a traceparent, one connection)`,
    '',
    row(['export', 'p50 (ms)', 'p99 (ms)', 'samples', 'CPU µs per request', 'RSS after load (MB)']),
    row(['---', '---', '---', '---', '---', '---']),
    row(['off', fmt(L.off.p50, 3), fmt(L.off.p99, 3), fmt(L.off.n, 0), fmt(L.off.cpuUsPerReq, 1), fmt(L.rssAfterLoad.off, 1)]),
    row(['on (spans + metrics, http/protobuf)', fmt(L.on.p50, 3), fmt(L.on.p99, 3), fmt(L.on.n, 0), fmt(L.on.cpuUsPerReq, 1), fmt(L.rssAfterLoad.on, 1)]),
    '',
    `Added by export: **p50 ${fmt(L.addP50, 4)} ms** (goal ≤ ${OTEL_P50_GOAL_MS} ms: ${L.addP50 <= OTEL_P50_GOAL_MS ? '✅' : '❌'}; median of per-round differences ${fmt(L.addP50Rounds, 4)} ms), p99 ${fmt(L.addP99, 3)} ms, ${fmt(L.addCpuUs, 1)} CPU µs per request. The sink received ${Object.entries(o.sink).map(([p, s]) => `${fmt(s.requests, 0)} requests to ${p}`).join(', ')}.`,
    '',
    row(['start-up (median)', 'off: ms to listening', 'on: ms to listening', 'off: idle RSS (MB)', 'on: idle RSS (MB)']),
    row(['---', '---', '---', '---', '---']),
    ...Object.entries(o.startup).map(([b, v]) => row([b, fmt(v.off.ms, 0), fmt(v.on.ms, 0), fmt(v.off.rss, 1), fmt(v.on.rss, 1)])),
  ];
  return lines;
}
