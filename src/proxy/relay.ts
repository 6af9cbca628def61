import { monotonicMs } from '../lib/clock.js';
import { ProxyError } from '../lib/errors.js';
import { SseFramer } from '../providers/sse.js';
import type { PreparedRequest, ProviderAdapter, SseFrame } from '../providers/types.js';
import type { CallState } from './call-state.js';
import { UpstreamError } from './types.js';

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
  const timeout = error instanceof UpstreamError && error.failure === 'timeout';
  const reason = error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
  return new ProxyError(timeout ? 'upstream_timeout' : 'upstream_unreachable', `The provider's stream failed before it finished (${reason}); tokens used so far may still be billed.`);
}

/** Reads usage from a complete JSON response body into the call state (never throws). */
export function observeJson(bytes: Uint8Array, state: CallState, adapter: ProviderAdapter): void {
  if (!state.info) return;
  const json = parseJson(bytes);
  if (json === undefined) state.bodyParsed = false;
  else state.observed = adapter.usageFromJson(state.info, json);
}

/** JSON responses up to this size (bytes, by Content-Length) are read whole before answering. */
export const BUFFERED_JSON_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Reads a whole (small, JSON) response body. A JSON body is only useful to the client
 * once complete, so answering with one buffer costs no latency that matters and spares
 * each call the streaming machinery of the edge.
 */
export async function readWhole(body: AsyncIterable<Uint8Array>, state: CallState): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; error: unknown }> {
  const parts: Uint8Array[] = [];
  try {
    for await (const chunk of body) {
      if (state.firstByteAt === null) state.firstByteAt = monotonicMs();
      parts.push(chunk);
    }
  } catch (error) {
    return { ok: false, error };
  }
  return { ok: true, bytes: parts.length === 1 ? (parts[0] as Uint8Array) : concat(parts) };
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
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
