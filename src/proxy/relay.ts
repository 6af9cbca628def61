import { concatBytes, joinBytes } from '../lib/bytes.js';
import { monotonicMs } from '../lib/clock.js';
import { SseFramer, type FrameSink } from '../providers/sse.js';
import type { PreparedRequest, ProviderAdapter, RequestInfo } from '../providers/types.js';
import { newObservation, type BodyObservation } from './call-recorder.js';
import { IdleWatch } from './stream-body.js';
import { UpstreamError, type ChunkSource, type ChunkWriter, type StreamBody } from './types.js';
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
  /** ms the upstream may stay quiet between two chunks before the relay gives up. */
  idleMs: number;
  /** True once the client has gone away (then nothing more is sent). */
  clientGone: () => boolean;
  onFinished: OnFinished;
}

/** Why a cancelled relay ended (the client left, or the edge gave up on the body). */
const CLIENT_LEFT = 'client disconnected';

/**
 * Relays the upstream body to the client as it arrives and observes a copy, in one loop:
 * a read from the runtime's reader, a synchronous step over the chunk, a write to the
 * edge (one promise per chunk, none per layer). Bytes pass through unchanged; the only
 * exception is the usage-only chunk the proxy injected itself, which is dropped
 * frame-exactly. `onFinished` runs once: when `pump` ends (complete, upstream failure,
 * client gone), or from `cancel` when the edge never started the pump.
 *
 * A client that leaves after the stream's end marker (`data: [DONE]`) was written to it
 * has the whole answer (SDKs stop reading there and close, often before the provider's
 * body has ended): the call is complete, not client_aborted.
 */
export function relayBody(source: ChunkSource, ctx: RelayContext): StreamBody {
  const seen = newObservation();
  let finished = false;
  let started = false;
  let cancelled = false;
  const end = (completed: boolean, error: unknown) => {
    if (finished) return;
    finished = true;
    ctx.onFinished(completed, error, seen, ctx.status, monotonicMs());
  };
  return {
    async pump(write: ChunkWriter) {
      if (started) throw new Error('a relayed body is pumped once');
      started = true;
      if (cancelled) return;
      const step = bodyStep(ctx, seen);
      let idle = false;
      const watch = new IdleWatch(ctx.idleMs, () => {
        idle = true;
        source.cancel();
      });
      let completed = false;
      let failure: unknown = null;
      /** The chunk holding the stream's end marker has been written to the client. */
      let answered = false;
      try {
        for (;;) {
          const next = await source.read();
          if (idle) throw new UpstreamError('timeout', 'idle timeout between chunks');
          if (cancelled) throw new Error(CLIENT_LEFT);
          if (next.done) break;
          watch.touch();
          if (seen.firstByteAt === null) seen.firstByteAt = monotonicMs();
          const out = step.push(next.value);
          if (out !== null) {
            const wait = write(out);
            if (wait !== undefined) await wait;
          }
          if (step.sawEndMarker) answered = true;
        }
        const tail = step.end();
        if (tail !== null) {
          const wait = write(tail);
          if (wait !== undefined) await wait;
        }
        completed = true;
      } catch (error) {
        let gone = cancelled || ctx.clientGone();
        // A frame whole but for the byte after its last CR (CR-delimited SSE) is observed
        // now, as the body's end would have; a client still there gets it if it was held back.
        const held = step.salvage();
        if (held !== null && !gone) gone = !(await writeQuietly(write, held));
        if (step.sawEndMarker && (held === null || !gone)) answered = true;
        if (answered) {
          // The client has the whole answer, up to its end marker: what failed after it (the
          // client leaving, the provider's body breaking before its own end) is not the call's.
          completed = true;
          source.cancel();
          // A gone client's connection is cut by the edge; a present one's stream ends normally.
          if (gone) throw error;
          return;
        }
        failure = error;
        const frame = ctx.mode === 'sse' && !gone ? ctx.adapter.streamErrorFrame?.(upstreamFailure(ctx.provider, error, 'stream').error) : undefined;
        // End the stream the way the provider ends a failed one; without a frame, cut the connection.
        // A half-sent frame is closed first so the error frame parses on its own.
        if (frame === undefined) throw error;
        await write(new TextEncoder().encode(step.midFrame ? `\n\n${frame}` : frame));
      } finally {
        watch.stop();
        if (!completed) source.cancel();
        step.settle();
        end(completed, failure);
      }
    },
    cancel(reason?: Error) {
      if (cancelled) return;
      cancelled = true;
      source.cancel();
      if (!started) end(false, reason ?? new Error(CLIENT_LEFT));
    },
  };
}

/** Writes `bytes`; false when the client could not take them (it left). */
async function writeQuietly(write: ChunkWriter, bytes: Uint8Array): Promise<boolean> {
  try {
    await write(bytes);
    return true;
  } catch {
    return false;
  }
}

/** What a relay does with each chunk, synchronously. */
interface BodyStep {
  /** Observes a chunk; returns what the client gets (the chunk itself, unless a frame is dropped), or null. */
  push(chunk: Uint8Array): Uint8Array | null;
  /** The body ended: returns what is still held back for the client, or null. */
  end(): Uint8Array | null;
  /** Runs last, also after a failure: completes the observation. */
  settle(): void;
  /**
   * The body ended abnormally: observes a frame held back only for the byte after its last
   * CR; returns what the client still has to get of it, or null.
   */
  salvage(): Uint8Array | null;
  /** True while part of a frame has been received but not completed. */
  readonly midFrame: boolean;
  /** True once a frame that ends the stream (`data: [DONE]`) has been pushed. */
  readonly sawEndMarker: boolean;
}

/** The data of the frame that ends an OpenAI-style stream (PROVIDERS.md: the other families end with the body). */
const END_MARKER = '[DONE]';

function bodyStep(ctx: RelayContext, seen: BodyObservation): BodyStep {
  if (ctx.mode === 'sse') return sseStep(ctx, seen);
  if (ctx.mode === 'json') return jsonStep(ctx, seen);
  return { push: (chunk) => chunk, end: () => null, settle: () => {}, salvage: () => null, midFrame: false, sawEndMarker: false };
}

function sseStep(ctx: RelayContext, seen: BodyObservation): BodyStep {
  const acc = ctx.adapter.newStreamAccumulator(ctx.info, ctx.prepared);
  /** When frames are filtered: the frames of the current push that the client gets, in order (passed ones included). */
  let kept: Uint8Array[] = [];
  const filtering = ctx.prepared.stripInjectedUsage;
  // Frames the accumulator lets pass by their bytes are relayed as they are, never decoded.
  const framer = new SseFramer(
    acc.passes === undefined
      ? undefined
      : {
          passes: (raw) => acc.passes?.(raw) === true,
          passed: (raw) => {
            seen.frames++;
            if (filtering) kept.push(raw);
          },
        },
  );
  const settle = () => {
    seen.observed = acc.finish();
  };
  let ended = false;
  if (!filtering) {
    const observe: FrameSink = (frame) => {
      seen.frames++;
      if (frame.data === END_MARKER) ended = true;
      acc.onFrame(frame);
    };
    return {
      push(chunk) {
        framer.push(chunk, observe);
        return chunk;
      },
      end() {
        framer.end(observe);
        return null;
      },
      salvage() {
        // Its bytes went to the client as they came.
        if (framer.holdsWholeFrame) framer.end(observe);
        return null;
      },
      settle,
      get midFrame() {
        return framer.midFrame;
      },
      get sawEndMarker() {
        return ended;
      },
    };
  }
  const filter: FrameSink = (frame, raw) => {
    seen.frames++;
    if (frame.data === END_MARKER) ended = true;
    if (acc.onFrame(frame)) kept.push(raw);
  };
  const take = (): Uint8Array | null => {
    if (kept.length === 0) return null;
    // Frames of one pushed chunk lie side by side in it: one view, no copy. Frames completed
    // in the framer's own buffer are copied once, as that buffer changes at the next push.
    const joined = joinBytes(kept);
    const out = framer.owns(joined) ? joined.slice() : joined;
    kept = [];
    return out;
  };
  return {
    push(chunk) {
      framer.push(chunk, filter);
      return take();
    },
    end() {
      framer.end(filter);
      return take();
    },
    salvage() {
      if (!framer.holdsWholeFrame) return null;
      framer.end(filter);
      return take();
    },
    settle,
    get midFrame() {
      return framer.midFrame;
    },
    get sawEndMarker() {
      return ended;
    },
  };
}

function jsonStep(ctx: RelayContext, seen: BodyObservation): BodyStep {
  const copy: Uint8Array[] = [];
  let size = 0;
  return {
    push(chunk) {
      size += chunk.length;
      if (size <= MAX_JSON_COPY_BYTES) copy.push(chunk);
      return chunk;
    },
    end() {
      if (size <= MAX_JSON_COPY_BYTES) observeJson(concatBytes(copy), seen, ctx.adapter, ctx.info);
      else seen.bodyParsed = false;
      return null;
    },
    settle: () => {},
    salvage: () => null,
    midFrame: false,
    sawEndMarker: false,
  };
}

/** Reads usage from a complete JSON response body; never throws. */
export function observeJson(bytes: Uint8Array, seen: BodyObservation, adapter: ProviderAdapter, info: RequestInfo): void {
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
