/**
 * The fake provider (run with the bun binary): OpenAI chat completions on 127.0.0.1.
 * `x-bench-kind: 1k | 10k` → a ~1 KB / ~10 KB JSON completion with usage;
 * `sse0 | sse20` → a stream of 64 chunks sent at once / 20 ms apart, then the usage
 * chunk (only when the body asks for `include_usage`, as OpenAI does) and `data: [DONE]`.
 * Counts requests per `x-bench-sys` header; `GET /__stats` returns the counts.
 * Usage: bun bench/fake-upstream.mjs [port]
 */
import { serveLoopback } from './lib/bun-loopback.mjs';
import { DONE_CHUNK, KINDS, USAGE_CHUNK, chatCompletion, streamChunks } from './lib/payloads.mjs';

const enc = new TextEncoder();
const JSON_BODIES = Object.fromEntries(Object.entries(KINDS).map(([k, bytes]) => [k, enc.encode(chatCompletion(bytes))]));
const CHUNKS = streamChunks().map((c) => enc.encode(c));
const TAIL_USAGE = enc.encode(USAGE_CHUNK + DONE_CHUNK);
const TAIL = enc.encode(DONE_CHUNK);
const INSTANT_NO_USAGE = enc.encode(streamChunks().join('') + DONE_CHUNK);
const INSTANT_USAGE = enc.encode(streamChunks().join('') + USAGE_CHUNK + DONE_CHUNK);
const JSON_HEADERS = { 'content-type': 'application/json', 'x-request-id': 'req_bench', 'openai-processing-ms': '1' };
const SSE_HEADERS = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': 'req_bench' };

const counts = {};

function stream(usage, gapMs) {
  if (gapMs === 0) {
    // "Instant": the whole stream in one write, as a cached or very fast model would.
    return new Response(usage ? INSTANT_USAGE : INSTANT_NO_USAGE, { headers: SSE_HEADERS });
  }
  return new Response(
    new ReadableStream({
      type: 'direct',
      async pull(controller) {
        const t0 = performance.now();
        for (let i = 0; i < CHUNKS.length; i++) {
          const wait = t0 + i * gapMs - performance.now();
          if (wait > 0) await Bun.sleep(wait);
          controller.write(i === CHUNKS.length - 1 ? concat(CHUNKS[i], usage ? TAIL_USAGE : TAIL) : CHUNKS[i]);
          await controller.flush();
        }
        controller.close();
      },
    }),
    { headers: SSE_HEADERS },
  );
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

serveLoopback(process.argv[2], async (req) => {
  const url = req.url;
  if (url.endsWith('/__stats')) return Response.json(counts);
  const sys = req.headers.get('x-bench-sys') ?? '-';
  counts[sys] = (counts[sys] ?? 0) + 1;
  const body = req.method === 'POST' ? await req.text() : '';
  const kind = req.headers.get('x-bench-kind') ?? '1k';
  if (kind === 'sse0' || kind === 'sse20') return stream(body.includes('"include_usage":true'), kind === 'sse0' ? 0 : 20);
  const json = JSON_BODIES[kind];
  if (!json) return new Response(`unknown x-bench-kind ${kind}`, { status: 400 });
  return new Response(json, { headers: JSON_HEADERS });
});
