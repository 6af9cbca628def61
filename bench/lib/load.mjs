/**
 * Load shapes, all bounded in count and time, all to 127.0.0.1: one connection in a
 * loop, a fixed request rate (open loop), closed-loop maximum throughput (wrk when
 * installed, else the built-in client), and concurrent SSE streams with per-frame timing.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildRequest, connect } from './http-client.mjs';
import { requestBody } from './payloads.mjs';
import { pinned } from './tools.mjs';

/** The X-Metering-Tags every bench request carries (bench/store-ingest.mjs --shape http writes records with them). */
export const TAGS = '{"feature":"bench","user_tier":"pro"}';

/** Headers and body of a chat completion request of `kind` (1k, 10k, sse0, sse20) for system `sys`. */
export function requestSpec(sys, kind) {
  return {
    method: 'POST',
    path: `${sys.pathPrefix}/chat/completions`,
    port: sys.port,
    headers: {
      Authorization: `Bearer ${sys.key}`,
      'Content-Type': 'application/json',
      'X-Metering-Tags': TAGS,
      'X-Bench-Sys': sys.name,
      'X-Bench-Kind': kind,
    },
    body: requestBody(kind.startsWith('sse')),
  };
}

export const requestFor = (sys, kind) => buildRequest(requestSpec(sys, kind));

async function checked(conn, buf, opts) {
  const r = await conn.send(buf, opts);
  if (r.status !== 200) throw new Error(`HTTP ${r.status}`);
  return r;
}

/** Requests one after another on one keep-alive connection; latencies in ms. */
export async function sequential(port, buf, { durationMs, maxCount = 1e6 }) {
  const conn = await connect(port);
  const lat = [];
  const end = performance.now() + durationMs;
  try {
    while (lat.length < maxCount && performance.now() < end) lat.push((await checked(conn, buf)).ms);
  } finally {
    conn.close();
  }
  return lat;
}

/**
 * Open loop: starts requests at `rps` on a pool of `conns` keep-alive connections for
 * `durationMs`. Latency is measured from the moment each request is written; `late`
 * counts ticks where every connection was busy (the system fell behind). `bufs` is one
 * request or a list used in turn (a mix).
 */
export async function fixedRate(port, bufs, { rps, durationMs, conns = 32 }) {
  const list = Array.isArray(bufs) ? bufs : [bufs];
  const pool = await Promise.all(Array.from({ length: conns }, () => connect(port)));
  const idle = [...pool];
  const lat = [];
  const total = Math.round((rps * durationMs) / 1000);
  const interval = 1000 / rps;
  let sent = 0;
  let late = 0;
  let errors = 0;
  let inflight = 0;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const fire = (conn) => {
      inflight++;
      sent++;
      checked(conn, list[sent % list.length])
        .then((r) => lat.push(r.ms), () => errors++)
        .finally(() => {
          inflight--;
          idle.push(conn);
          if (sent >= total && inflight === 0) resolve();
        });
    };
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - t0) / interval) + 1);
      while (sent < due) {
        const conn = idle.pop();
        if (!conn) {
          late++;
          break;
        }
        fire(conn);
      }
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  for (const c of pool) c.close();
  const reopened = pool.reduce((n, c) => n + c.reopened, 0);
  return { lat, sent, late, errors, reopened, seconds: (performance.now() - t0) / 1000 };
}

/** Closed loop on `conns` connections for `durationMs` with the built-in client. */
export async function closedLoop(port, buf, { conns, durationMs }) {
  const pool = await Promise.all(Array.from({ length: conns }, () => connect(port)));
  let count = 0;
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + durationMs;
  await Promise.all(
    pool.map(async (conn) => {
      while (performance.now() < end) {
        try {
          await checked(conn, buf);
          count++;
        } catch {
          errors++;
          break;
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const c of pool) c.close();
  return { requests: count, errors, rps: count / seconds, tool: 'built-in' };
}

/** Closed loop with wrk (one thread, pinned with the load generator). */
export function wrkLoop(sys, kind, { conns, durationMs, cpu, tmp }) {
  const spec = requestSpec(sys, kind);
  const script = join(tmp, `wrk-${sys.name}-${kind}.lua`);
  const lua = [`wrk.method = "POST"`, `wrk.body = ${JSON.stringify(spec.body)}`];
  for (const [k, v] of Object.entries(spec.headers)) lua.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  writeFileSync(script, `${lua.join('\n')}\n`);
  const secs = Math.max(1, Math.round(durationMs / 1000));
  const [cmd, args] = pinned(cpu, 'wrk', ['-t1', `-c${conns}`, `-d${secs}s`, '--latency', '-s', script, `http://127.0.0.1:${sys.port}${spec.path}`]);
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: (secs + 30) * 1000 });
  const out = r.stdout ?? '';
  const num = (re) => Number(re.exec(out)?.[1] ?? NaN);
  const requests = num(/(\d+) requests in/);
  const non2xx = num(/Non-2xx or 3xx responses: (\d+)/) || 0;
  const sockErr = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = non2xx + (sockErr ? sockErr.slice(1).reduce((s, v) => s + Number(v), 0) : 0);
  if (!Number.isFinite(requests)) throw new Error(`wrk failed: ${out}${r.stderr}`);
  return { requests, errors, rps: num(/Requests\/sec:\s*([\d.]+)/), tool: 'wrk' };
}

/**
 * `total` SSE streams, `concurrency` at a time, each on its own connection. Returns
 * time to first frame and gaps between content frames (ms), and how many streams
 * arrived byte-identical to `expected` (Buffer). `staggerMs` spaces the workers' first requests.
 */
export async function streams(port, buf, { concurrency, total, expected, contentFrames, staggerMs = 0 }) {
  const ttfc = [];
  const gaps = [];
  const durations = [];
  let ok = 0;
  let bad = 0;
  let next = 0;
  const worker = async (i) => {
    const conn = await connect(port);
    // Staggered starts measure a steady flow of streams, not a thundering herd at t=0.
    if (staggerMs > 0) await new Promise((r) => setTimeout(r, i * staggerMs));
    try {
      while (next < total) {
        next++;
        try {
          const r = await conn.send(buf, { frames: true, keep: true });
          const ft = r.frameTimes;
          if (r.status === 200 && r.body.equals(expected)) ok++;
          else bad++;
          if (ft.length > 0) ttfc.push(ft[0]);
          for (let i = 1; i < Math.min(ft.length, contentFrames); i++) gaps.push(ft[i] - ft[i - 1]);
          durations.push(r.ms);
        } catch {
          bad++;
        }
      }
    } finally {
      conn.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  return { ttfc, gaps, durations, ok, bad };
}
