import { monotonicMs } from '../lib/clock.js';
import { SseFramer } from '../providers/sse.js';
import type { PreparedRequest, ProviderAdapter, RequestInfo, SseFrame } from '../providers/types.js';
import { newObservation, type BodyObservation } from './call-recorder.js';
import { clientHeaders } from './forward.js';
import type { OutgoingResponse, UpstreamResponse } from './types.js';
import { upstreamFailure } from './upstream-failure.js';

/** How the proxy reads a response body while relaying it. */
export type RelayMode = 'sse' | 'json' | 'raw';

/** Largest JSON response body the proxy keeps a copy of for metering (bytes); larger ones are relayed unmetered. */
const MAX_JSON_COPY_BYTES = 64 * 1024 * 1024;

/** Picks the relay mode from the upstream content type. */
export function relayMode(contentType: string | undefined, metered: boolean): RelayMode {
  if (!metered || !contentType) return 'raw';
  if (contentType.includes('text/event-stream')) return 'sse';
  if (contentType.includes('json')) return 'json';
  return 'raw';
}

/**
 * Told exactly once how a response body ended. `completed`: every byte reached the client;
 * `error`: why not (the upstream's error, or the client leaving); `seen`: what the relay
 * observed; `status`: the status the client got; `at`: performance.now() of the end.
 */
export type OnFinished = (completed: boolean, error: unknown, seen: BodyObservation, status: number, at: number) => void;

export interface RelayContext {
  provider: string;
  info: RequestInfo;
  adapter: ProviderAdapter;
  prepared: PreparedRequest;
  mode: RelayMode;
  /** The upstream status, already sent to the client. */
  status: number;
  /** True once the client has gone away (then nothing more is sent). */
  clientGone: () => boolean;
  onFinished: OnFinished;
}

/** A relayed body: the chunks for the edge, and `abandon` for a client that left (also before the edge read anything). */
export interface RelayedBody {
  chunks: AsyncIterable<Uint8Array>;
  abandon(): void;
}

/**
 * Relays the upstream body to the client as it arrives and observes a copy. `onFinished`
 * runs once: from the relay's `finally` (end, upstream failure, client abort), or from
 * `abandon` when the edge never started reading (a generator whose first next() never
 * ran skips its `finally`).
 */
export function relayBody(body: AsyncIterable<Uint8Array>, ctx: RelayContext): RelayedBody {
  const seen = newObservation();
  let done = false;
  const end = (completed: boolean, error: unknown) => {
    if (done) return;
    done = true;
    ctx.onFinished(completed, error, seen, ctx.status, monotonicMs());
  };
  const relayed = relay(body, ctx, seen, end);
  let started = false;
  const iterator: AsyncIterator<Uint8Array> = {
    next: () => {
      started = true;
      return relayed.next();
    },
    return: () => {
      if (!started) end(false, new Error('client disconnected'));
      return relayed.return(undefined);
    },
  };
  return {
    chunks: { [Symbol.asyncIterator]: () => iterator },
    abandon: () => void iterator.return?.(),
  };
}

/**
 * Bytes pass through unchanged; the only exception is the usage-only chunk the proxy
 * injected itself, which is dropped frame-exactly.
 */
async function* relay(body: AsyncIterable<Uint8Array>, ctx: RelayContext, seen: BodyObservation, end: (completed: boolean, error: unknown) => void): AsyncGenerator<Uint8Array> {
  const { adapter, prepared, info } = ctx;
  let completed = false;
  let failure: unknown = null;
  const framer = new SseFramer();
  try {
    if (ctx.mode === 'sse') {
      const acc = adapter.newStreamAccumulator(info, prepared);
      const strip = prepared.stripInjectedUsage;
      let kept: Uint8Array[] = [];
      const observe = (frame: SseFrame) => {
        seen.frames++;
        return acc.onFrame(frame);
      };
      const filter = (frame: SseFrame, raw: Uint8Array) => {
        if (observe(frame)) kept.push(raw);
      };
      try {
        for await (const chunk of body) {
          if (seen.firstByteAt === null) seen.firstByteAt = monotonicMs();
          if (!strip) {
            framer.push(chunk, observe);
            yield chunk;
            continue;
          }
          framer.push(chunk, filter);
          if (kept.length > 0) {
            const out = kept.length === 1 ? (kept[0] as Uint8Array) : concat(kept);
            kept = [];
            yield out;
          }
        }
        framer.end(strip ? filter : observe);
        if (strip && kept.length > 0) yield concat(kept);
      } finally {
        seen.observed = acc.finish();
      }
    } else if (ctx.mode === 'json') {
      const copy: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        if (seen.firstByteAt === null) seen.firstByteAt = monotonicMs();
        size += chunk.length;
        if (size <= MAX_JSON_COPY_BYTES) copy.push(chunk);
        yield chunk;
      }
      if (size <= MAX_JSON_COPY_BYTES) observeJson(copy.length === 1 ? (copy[0] as Uint8Array) : concat(copy), seen, adapter, info);
      else seen.bodyParsed = false;
    } else {
      for await (const chunk of body) {
        if (seen.firstByteAt === null) seen.firstByteAt = monotonicMs();
        yield chunk;
      }
    }
    completed = true;
  } catch (error) {
    failure = error;
    const frame = ctx.mode === 'sse' && !ctx.clientGone() ? adapter.streamErrorFrame?.(upstreamFailure(ctx.provider, error, 'stream').error) : undefined;
    // End the stream the way the provider ends a failed one; without a frame, cut the connection.
    // A half-sent frame is closed first so the error frame parses on its own.
    if (frame === undefined) throw error;
    yield new TextEncoder().encode(framer.midFrame ? `\n\n${frame}` : frame);
  } finally {
    end(completed, failure);
  }
}

/** JSON bodies up to this size (declared by Content-Length) are read in one call and sent whole. */
const MAX_BUFFERED_JSON_BYTES = 4 << 20;

export function isSmall(contentLength: string | string[] | undefined): boolean {
  const n = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  return Number.isInteger(n) && n >= 0 && n <= MAX_BUFFERED_JSON_BYTES;
}

/**
 * A small metered JSON response: one native read, and the bytes handed to the edge as a
 * whole body — no async generator, ReadableStream, per-chunk timer or relay bookkeeping
 * (−23…−29 µs CPU per call on the binary). Metering (usage parse, then `onFinished`:
 * price, budget settlement, request hash, the record) runs in a setImmediate right
 * after, so the client never waits for it; its time and outcome are taken when the body
 * is handed over. A client that leaves while the kernel sends ~kilobytes is still 'ok',
 * as the provider was paid in full anyway. Shutdown lets pending immediates run before
 * it drains the write queue (start.ts). A body that fails to arrive is answered with the
 * provider-shaped upstream error (nothing was sent yet), or 499 when the client left.
 */
export async function bufferedJson(upstream: UpstreamResponse, ctx: Omit<RelayContext, 'mode' | 'prepared'>): Promise<OutgoingResponse> {
  const seen = newObservation();
  let bytes: Uint8Array;
  try {
    bytes = await upstream.bytes();
  } catch (error) {
    seen.firstByteAt = monotonicMs();
    if (ctx.clientGone()) {
      ctx.onFinished(false, error, seen, ctx.status, seen.firstByteAt);
      return { status: 499, headers: {}, body: '' };
    }
    const rendered = ctx.adapter.renderError(upstreamFailure(ctx.provider, error, 'response').error);
    // The record carries the status the client got.
    ctx.onFinished(false, error, seen, rendered.status, seen.firstByteAt);
    return { status: rendered.status, headers: rendered.headers, body: rendered.body };
  }
  const finishedAt = monotonicMs();
  seen.firstByteAt = finishedAt;
  setImmediate(() => {
    observeJson(bytes, seen, ctx.adapter, ctx.info);
    ctx.onFinished(true, null, seen, ctx.status, finishedAt);
  });
  return { status: upstream.status, headers: clientHeaders(upstream.headers, false), body: bytes };
}

/** Reads usage from a complete JSON response body; never throws. */
function observeJson(bytes: Uint8Array, seen: BodyObservation, adapter: ProviderAdapter, info: RequestInfo): void {
  const json = parseJson(bytes);
  if (json === undefined) seen.bodyParsed = false;
  else seen.observed = adapter.usageFromJson(info, json);
}

/** Stateless for whole-buffer decodes, so one instance serves every call. */
const DECODER = new TextDecoder();

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(DECODER.decode(bytes));
  } catch {
    return undefined;
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
