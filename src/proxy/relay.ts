import { monotonicMs } from '../lib/clock.js';
import type { PreparedRequest, ProviderAdapter, RequestInfo } from '../providers/types.js';
import { bodyStep, type BodyStep, type RelayMode } from './body-steps.js';
import { newObservation, type BodyObservation } from './observation.js';
import { SHUTTING_DOWN, type HaltableStream, type RunningStreams } from './running-streams.js';
import { IdleWatch, readReceived } from './stream-body.js';
import { UpstreamError, type ChunkSource, type ChunkWriter, type StreamBody } from './types.js';
import { upstreamFailure } from './upstream-failure.js';

export type { RelayMode };

/**
 * Picks the relay mode from the upstream content type. `ndjsonStream`: the body is a 2xx
 * answer to a request whose streams are newline-delimited JSON (RequestInfo.ndjsonStream),
 * read as lines whatever its content type says, unless that is `text/event-stream`.
 */
export function relayMode(contentType: string | undefined, metered: boolean, ndjsonStream = false): RelayMode {
  if (!metered) return 'raw';
  if (contentType?.includes('text/event-stream') === true) return 'sse';
  if (ndjsonStream) return 'ndjson';
  if (!contentType) return 'raw';
  if (contentType.includes('json')) return 'json';
  return 'raw';
}

/**
 * Told exactly once how a response body ended. `completed`: every byte reached the client;
 * `error`: why not (the upstream's error, or the client leaving); `seen`: what the relay
 * observed; `status`: the status the client got; `at`: performance.now() of the end.
 * `unsent`: the client left before any of the answer was sent (buffered-json.ts), so
 * `completed` says the provider's answer was read whole, not that the client got it.
 * Must not throw: it runs in the relay's `finally`, where a throw makes the edge cut the
 * client's connection, and in buffered-json.ts's metering immediate.
 */
export type OnFinished = (completed: boolean, error: unknown, seen: BodyObservation, status: number, at: number, unsent?: boolean) => void;

export interface RelayContext {
  provider: string;
  info: RequestInfo;
  adapter: ProviderAdapter;
  prepared: PreparedRequest;
  mode: RelayMode;
  /** The upstream's Content-Type (a body relayed raw names it in its estimate's note); absent when it sent none. */
  contentType?: string;
  /** The upstream status, already sent to the client. */
  status: number;
  /** ms the upstream may stay quiet while the relay waits for its next chunk (time waiting on the client excluded) before the relay gives up. */
  idleMs: number;
  /** True once the client has gone away (then nothing more is sent). */
  clientGone: () => boolean;
  onFinished: OnFinished;
  /** Where a pumped body is registered until it ends, so the shutdown can halt it (HaltableStream); absent = never halted. */
  running?: RunningStreams | undefined;
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
 *
 * A client that leaves before has what the upstream already sent metered all the same: a
 * chunk read as it left, and, when it left while the relay waited for it to take a chunk
 * (backpressure), what the source holds unread then (meterReceived); the source is
 * cancelled right after, within the event loop's turn, whether or not the edge's write settles.
 *
 * `halt` (the shutdown's grace period is over) stops reading the upstream and ends the body as
 * an upstream failure ends it, with SHUTTING_DOWN in the provider's error frame instead.
 */
export function relayBody(source: ChunkSource, ctx: RelayContext): StreamBody & HaltableStream {
  const seen = newObservation();
  let finished = false;
  /** Why the relay stops reading, when it was not the upstream or the client: the idle timeout, or the shutdown (`halt`). The first one set stands. */
  let halted: Error | null = null;
  /** Resolves the promise `halt` returned, once the relay ended. */
  let haltEnded: (() => void) | null = null;
  let started = false;
  let cancelled = false;
  /** The pump's step, once it runs. */
  let observing: BodyStep | null = null;
  /** True while the pump waits for the client to take a chunk: the source may hold chunks unread then. */
  let holding = false;
  /** Set when the client left while the pump was holding: meters what the source held, then cancels it. */
  let leaving: Promise<void> | null = null;
  const end = (completed: boolean, error: unknown) => {
    if (finished) return;
    finished = true;
    ctx.onFinished(completed, error, seen, ctx.status, monotonicMs());
    haltEnded?.();
  };
  const body: StreamBody & HaltableStream = {
    async pump(write: ChunkWriter) {
      if (started) throw new Error('a relayed body is pumped once');
      started = true;
      if (cancelled) return;
      const step = bodyStep(ctx, seen);
      observing = step;
      const watch = new IdleWatch(ctx.idleMs, () => {
        halted ??= new UpstreamError('timeout', 'idle timeout between chunks');
        source.cancel();
      });
      ctx.running?.add(body);
      let completed = false;
      let failure: unknown = null;
      /** The chunk holding the stream's end marker has been written to the client. */
      let answered = false;
      /** Every byte the step let through so far was written (false while a write is pending, and after one that failed or that the client left during). */
      let allWritten = true;
      try {
        for (;;) {
          const next = await source.read();
          if (halted !== null) throw halted;
          if (cancelled) {
            // Read as the client left: metered, never sent.
            if (!next.done) step.unsent([next.value]);
            throw new Error(CLIENT_LEFT);
          }
          if (next.done) break;
          if (seen.firstByteAt === null) seen.firstByteAt = monotonicMs();
          const out = step.push(next.value);
          if (out !== null) {
            allWritten = false;
            const wait = write(out);
            if (wait !== undefined) {
              // Time a slow client takes is not the upstream's silence.
              watch.hold();
              holding = true;
              await wait;
              holding = false;
              if (leaving !== null) throw new Error(CLIENT_LEFT);
            }
            allWritten = true;
          }
          watch.touch();
          // Written (or taken by the edge at once): the client has every frame up to here.
          if (step.sawEndMarker) answered = true;
        }
        const tail = step.end();
        if (tail !== null) {
          const wait = write(tail);
          if (wait !== undefined) await wait;
        }
        completed = true;
      } catch (thrown) {
        // The idle watch and `halt` cancel the source: a read that then fails (undici's abort) failed of their reason.
        const error = halted ?? thrown;
        if (leaving !== null) await leaving;
        let gone = cancelled || ctx.clientGone();
        // A frame whole but for the byte after its last CR (CR-delimited SSE) is observed
        // now, as the body's end would have; a client still there gets it if it was held back.
        // Only an end marker the client was given counts: not one in a chunk whose write it
        // left during (or that failed), and one in the salvaged frame only once that frame is
        // written. Salvage may just observe a frame already sent (held === null): it counts
        // when every byte let through was written.
        const held = step.salvage();
        if (held !== null && !gone) gone = !(await writeQuietly(write, held));
        if (step.sawEndMarker && allWritten && (held === null || !gone)) answered = true;
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
        const frame = ctx.mode === 'sse' && !gone ? ctx.adapter.streamErrorFrame?.(error === SHUTTING_DOWN ? SHUTTING_DOWN : upstreamFailure(ctx.provider, error, 'stream').error, ctx.info) : undefined;
        // End the stream the way the provider ends a failed one; without a frame, cut the connection.
        // A half-sent frame is closed first so the error frame parses on its own.
        if (frame === undefined) throw error;
        await write(new TextEncoder().encode(step.midFrame ? `\n\n${frame}` : frame));
      } finally {
        watch.stop();
        ctx.running?.delete(body);
        if (!completed) source.cancel();
        step.settle();
        end(completed, failure);
      }
    },
    cancel(reason?: Error) {
      if (cancelled) return;
      cancelled = true;
      if (holding && observing !== null) leaving = meterReceived(source, observing);
      else source.cancel();
      if (!started) end(false, reason ?? new Error(CLIENT_LEFT));
    },
    halt() {
      if (finished) return Promise.resolve();
      halted ??= SHUTTING_DOWN;
      source.cancel();
      return new Promise<void>((resolve) => (haltEnded = resolve));
    },
  };
  return body;
}

/**
 * The client left while the relay waited for it: reads what `source` already holds (without
 * waiting on the network), meters it, and cancels the source. Never rejects.
 */
async function meterReceived(source: ChunkSource, step: BodyStep): Promise<void> {
  try {
    step.unsent(await readReceived(source));
  } catch {
    // An accumulator that fails on these frames: what it observed before stands.
  } finally {
    source.cancel();
  }
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
