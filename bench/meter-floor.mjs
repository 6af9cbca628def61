/**
 * The least a metering proxy on Bun does for a non-streamed call, to put a floor under
 * issue 17's "CPU per call ≤ bare + 25 µs": the bare proxy (bench/bare-bun.mjs: Bun.serve
 * + fetch) plus only what metering cannot skip — the request body parsed for its model,
 * the whole response read and parsed for its usage, a cost from two fixed prices, and one
 * record per call handed to a writer thread (bench/lib/meter-floor-writer.mjs) that
 * inserts it into a bun:sqlite calls table (WAL, one `ts` index) in one transaction per
 * 50 ms. No keys, tags, budgets, price catalog, rollups, timeouts, stripping or errors.
 * Streams are passed through natively, unmetered (this floor is for calls).
 *
 *   bun bench/meter-floor.mjs http://127.0.0.1:UPSTREAM_PORT [port] [db-path]
 *
 * Started beside the other systems by `node bench/ab.mjs --floor`.
 */
import { Worker } from 'node:worker_threads';
import { forwardedParts, serveLoopback } from './lib/bun-loopback.mjs';

const upstream = process.argv[2];
const db = process.argv[4] ?? ':memory:';
/** Nano-USD per input and per output token (gpt-4o-mini's list prices). */
const INPUT_NANO = 150;
const OUTPUT_NANO = 600;
const FLUSH_MS = 50;

const writer = new Worker(new URL('./lib/meter-floor-writer.mjs', import.meta.url), { workerData: { db } });
writer.unref();
const decoder = new TextDecoder();
let batch = [];
let flushing = null;
const flush = () => {
  flushing = null;
  writer.postMessage(JSON.stringify(batch));
  batch = [];
};

serveLoopback(process.argv[3], async (req) => {
  const started = performance.now();
  const { path, headers, body } = await forwardedParts(req);
  const requested = body === null ? null : parse(body)?.model ?? null;
  try {
    const res = await fetch(upstream + path, { method: req.method, headers, body, decompress: false, keepalive: true });
    if (res.headers.get('content-type')?.includes('text/event-stream')) return new Response(res.body, { status: res.status, headers: res.headers });
    const bytes = await res.bytes();
    const json = parse(bytes);
    const usage = json?.usage ?? {};
    const input = usage.prompt_tokens ?? 0;
    const output = usage.completion_tokens ?? 0;
    batch.push({ ts: Date.now(), model: json?.model ?? requested, status: res.status, input, output, cost: input * INPUT_NANO + output * OUTPUT_NANO, ms: performance.now() - started });
    flushing ??= setTimeout(flush, FLUSH_MS);
    return new Response(bytes, { status: res.status, headers: res.headers });
  } catch {
    return new Response('upstream failed', { status: 502 });
  }
});

function parse(bytes) {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}
