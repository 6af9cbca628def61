import { monotonicMs } from '../lib/clock.js';
import { ProxyError } from '../lib/errors.js';
import { SseFramer } from '../providers/sse.js';
import type { PreparedRequest, ProviderAdapter, SseFrame } from '../providers/types.js';
import type { CallOutcome } from '../store/types.js';
import { finishCall, type CallState } from './call-state.js';
import type { ProxyDeps } from './deps.js';
import { clientHeaders } from './forward.js';
import { upstreamFailureKind, type OutgoingResponse, type UpstreamResponse } from './types.js';

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

export interface RelayContext {
  state: CallState;
  adapter: ProviderAdapter;
  prepared: PreparedRequest;
  mode: RelayMode;
  /** True once the client has gone away (then nothing more is sent). */
  clientGone: () => boolean;
  /** Called exactly once when the body ends, fails or is abandoned; `completed` = every byte reached the client. */
  onDone: (completed: boolean, error: unknown) => void;
}

/**
 * Relays the upstream body to the client as it arrives and observes a copy.
 * Bytes pass through unchanged; the only exception is the usage-only chunk the
 * proxy injected itself, which is dropped frame-exactly. `onDone` runs in `finally`,
 * so the call is recorded also when the client aborts or the upstream fails.
 */
export async function* relay(body: AsyncIterable<Uint8Array>, ctx: RelayContext): AsyncGenerator<Uint8Array> {
  const { state, adapter, prepared } = ctx;
  let completed = false;
  let failure: unknown = null;
  const framer = new SseFramer();
  try {
    if (ctx.mode === 'sse' && state.info) {
      const acc = adapter.newStreamAccumulator(state.info, prepared);
      const strip = prepared.stripInjectedUsage;
      let kept: Uint8Array[] = [];
      const observe = (frame: SseFrame) => {
        state.frames++;
        return acc.onFrame(frame);
      };
      const filter = (frame: SseFrame, raw: Uint8Array) => {
        if (observe(frame)) kept.push(raw);
      };
      try {
        for await (const chunk of body) {
          if (state.firstByteAt === null) state.firstByteAt = monotonicMs();
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
        state.observed = acc.finish();
      }
    } else if (ctx.mode === 'json' && state.info) {
      const copy: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        if (state.firstByteAt === null) state.firstByteAt = monotonicMs();
        size += chunk.length;
        if (size <= MAX_JSON_COPY_BYTES) copy.push(chunk);
        yield chunk;
      }
      if (size <= MAX_JSON_COPY_BYTES) observeJson(copy.length === 1 ? (copy[0] as Uint8Array) : concat(copy), state, adapter);
      else state.bodyParsed = false;
    } else {
      for await (const chunk of body) {
        if (state.firstByteAt === null) state.firstByteAt = monotonicMs();
        yield chunk;
      }
    }
    completed = true;
  } catch (error) {
    failure = error;
    const frame = ctx.mode === 'sse' && !ctx.clientGone() ? adapter.streamErrorFrame?.(streamFailure(error)) : undefined;
    // End the stream the way the provider ends a failed one; without a frame, cut the connection.
    // A half-sent frame is closed first so the error frame parses on its own.
    if (frame === undefined) throw error;
    yield new TextEncoder().encode(framer.midFrame ? `\n\n${frame}` : frame);
  } finally {
    ctx.onDone(completed, failure);
  }
}

/** The error a client sees when the provider's stream breaks after it started. */
function streamFailure(error: unknown): ProxyError {
  const reason = error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
  return new ProxyError(upstreamFailureKind(error), `The provider's stream failed before it finished (${reason}); tokens used so far may still be billed.`);
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
 * (−23…−29 µs CPU per call on the binary). Metering (usage parse, price, budget
 * settlement, request hash, the record) runs in a setImmediate right after, so the
 * client never waits for it; its time and outcome are taken when the body is handed
 * over. A client that leaves while the kernel sends ~kilobytes is still 'ok', as the
 * provider was paid in full anyway. Shutdown lets pending immediates run before it
 * drains the write queue (start.ts).
 */
export async function bufferedJson(
  upstream: UpstreamResponse,
  state: CallState,
  adapter: ProviderAdapter,
  deps: ProxyDeps,
  outcomeOf: (completed: boolean) => CallOutcome,
  detach: () => void,
): Promise<OutgoingResponse> {
  let bytes: Uint8Array;
  try {
    bytes = await upstream.bytes();
  } catch (error) {
    // Nothing was sent yet, so the client gets a proper error instead of a cut connection.
    detach();
    const outcome = outcomeOf(false);
    const reason = error instanceof Error ? error.message : String(error);
    if (!state.error) state.error = outcome === 'client_aborted' ? 'client disconnected mid-response' : `upstream body failed: ${reason}`;
    if (outcome === 'client_aborted') {
      finishCall(state, outcome, deps, monotonicMs());
      return { status: 499, headers: {}, body: '' };
    }
    const rendered = adapter.renderError(new ProxyError(upstreamFailureKind(error), `Provider '${state.provider}' failed while sending its response (${reason}).`));
    // The record carries the status the client got.
    state.status = rendered.status;
    finishCall(state, outcome, deps, monotonicMs());
    return { status: rendered.status, headers: rendered.headers, body: rendered.body };
  } finally {
    state.firstByteAt ??= monotonicMs();
  }
  detach();
  const finishedAt = monotonicMs();
  const outcome = outcomeOf(true);
  setImmediate(() => {
    observeJson(bytes, state, adapter);
    finishCall(state, outcome, deps, finishedAt);
  });
  return { status: upstream.status, headers: clientHeaders(upstream.headers, false), body: bytes };
}

/** Reads usage from a complete JSON response body into the call state; never throws. */
function observeJson(bytes: Uint8Array, state: CallState, adapter: ProviderAdapter): void {
  const json = parseJson(bytes);
  if (json === undefined) state.bodyParsed = false;
  else if (state.info) state.observed = adapter.usageFromJson(state.info, json);
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
