import { concatBytes, joinBytes } from '../lib/bytes.js';
import { answerTextLengthOf } from '../providers/answer-text.js';
import { parseJsonBytes } from '../providers/json.js';
import { pickJsonKeys } from '../providers/json-keys.js';
import { LineFramer, type LineSink } from '../providers/ndjson.js';
import { SseFramer, type FrameSink } from '../providers/sse.js';
import type { PreparedRequest, ProviderAdapter, RequestInfo } from '../providers/types.js';
import type { BodyObservation } from './observation.js';

/**
 * What the relay (relay.ts) does with each chunk of a response body, by how it reads it:
 * SSE frames observed (and the proxy's own usage chunk dropped), newline-delimited JSON
 * lines observed, a JSON body copied and read whole at its end, or raw bytes passed on.
 * Synchronous; no I/O.
 */

/** Largest JSON response body the proxy keeps a copy of for metering (bytes); larger ones are relayed unread and estimated from their size (BodyObservation.unread, answerBytes). */
const MAX_JSON_COPY_BYTES = 64 * 1024 * 1024;

/** Most bytes of a text-to-speech answer's start kept for its audio header (BodyObservation.head). */
const SPEECH_HEAD_BYTES = 4096;

/** How the proxy reads a response body while relaying it (`ndjson`: RequestInfo.ndjsonStream). */
export type RelayMode = 'sse' | 'ndjson' | 'json' | 'raw';

/** What a step needs of the relay's context (relay.ts RelayContext has all of it). */
export interface StepContext {
  adapter: ProviderAdapter;
  info: RequestInfo;
  prepared: PreparedRequest;
  mode: RelayMode;
  /** The upstream's Content-Type, for a body relayed raw (BodyObservation.unreadType); absent when it sent none. */
  contentType?: string;
}

/** What a relay does with each chunk, synchronously. */
export interface BodyStep {
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
  /**
   * The client left: observes chunks it will never get (read from the upstream, not relayed),
   * for their usage. Nothing of them is kept for the client, an end marker among them does not
   * count as sent (`sawEndMarker`), and a frame whole but for the byte after its last CR at
   * their end is observed too.
   */
  unsent(chunks: readonly Uint8Array[]): void;
  /** True while part of a frame has been received but not completed. */
  readonly midFrame: boolean;
  /** True once a frame that ends the stream (`data: [DONE]`) has been pushed. */
  readonly sawEndMarker: boolean;
}

/** The data of the frame that ends an OpenAI-style stream (PROVIDERS.md: the other families end with the body). */
const END_MARKER = '[DONE]';
const encoder = new TextEncoder();

export function bodyStep(ctx: StepContext, seen: BodyObservation): BodyStep {
  if (ctx.mode === 'sse') return sseStep(ctx, seen);
  if (ctx.mode === 'ndjson') return ndjsonStep(ctx, seen);
  if (ctx.mode === 'json') return jsonStep(ctx, seen);
  // Raw: a body the relay does not read (unmetered, or a type it cannot read); a metered one is
  // estimated (BodyObservation.unread), its bytes counted, those the client left before too.
  if (ctx.info.metered) {
    seen.unread = true;
    seen.unreadBytes = 0;
    if (ctx.contentType !== undefined) seen.unreadType = ctx.contentType;
  }
  // A speech answer's first bytes are its audio header: a copy of them is kept (a few KiB).
  const head: Uint8Array[] = [];
  let headBytes = ctx.info.kind === 'speech' && ctx.info.metered ? 0 : SPEECH_HEAD_BYTES;
  const count = (chunk: Uint8Array) => {
    if (seen.unreadBytes !== undefined) seen.unreadBytes += chunk.length;
    if (headBytes < SPEECH_HEAD_BYTES) {
      const part = chunk.slice(0, SPEECH_HEAD_BYTES - headBytes);
      head.push(part);
      headBytes += part.length;
      seen.head = concatBytes(head);
    }
    return chunk;
  };
  return {
    push: count,
    end: () => null,
    settle: () => {},
    salvage: () => null,
    unsent: (chunks) => chunks.forEach(count),
    midFrame: false,
    sawEndMarker: false,
  };
}

function sseStep(ctx: StepContext, seen: BodyObservation): BodyStep {
  const acc = ctx.adapter.newStreamAccumulator(ctx.info, ctx.prepared);
  /** When frames are filtered: the frames of the current push that the client gets, in order (passed ones included). */
  let kept: Uint8Array[] = [];
  // Whole frames only also when the stream may end with the provider's error frame: a frame the
  // client got half of would be closed into a broken event its SDK fails on before that error.
  const filtering = ctx.prepared.stripInjectedUsage || ctx.adapter.streamErrorFrame !== undefined;
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
  const unsent = (chunks: readonly Uint8Array[]) => {
    const meter: FrameSink = (frame) => {
      seen.frames++;
      acc.onFrame(frame);
    };
    for (const chunk of chunks) framer.push(chunk, meter);
    if (framer.holdsWholeFrame) framer.end(meter);
    // Frames the bypass passed on are not for the client either.
    kept = [];
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
      unsent,
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
    const verdict = acc.onFrame(frame);
    if (verdict === true) kept.push(raw);
    // Only this frame is encoded anew; the frames around it keep their bytes.
    else if (verdict !== false) kept.push(encoder.encode(`data: ${verdict.data}\n\n`));
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
    unsent,
    get midFrame() {
      return framer.midFrame;
    },
    get sawEndMarker() {
      return ended;
    },
  };
}

/**
 * A newline-delimited JSON stream: each line goes to the accumulator as a frame (no event,
 * the line as data); every chunk reaches the client as it came. Such streams have no end
 * marker: they end with the body. A last line cut short does not parse, so handing on the
 * unfinished line when the body ends abnormally (salvage, unsent) observes only a whole one.
 */
function ndjsonStep(ctx: StepContext, seen: BodyObservation): BodyStep {
  const acc = ctx.adapter.newStreamAccumulator(ctx.info, ctx.prepared);
  const lines = new LineFramer();
  const observe: LineSink = (data) => {
    seen.frames++;
    acc.onFrame({ event: '', data });
  };
  return {
    push(chunk) {
      lines.push(chunk, observe);
      return chunk;
    },
    end() {
      lines.end(observe);
      return null;
    },
    settle() {
      seen.observed = acc.finish();
    },
    salvage() {
      lines.end(observe);
      return null;
    },
    unsent(chunks) {
      for (const chunk of chunks) lines.push(chunk, observe);
      lines.end(observe);
    },
    get midFrame() {
      return lines.midLine;
    },
    sawEndMarker: false,
  };
}

function jsonStep(ctx: StepContext, seen: BodyObservation): BodyStep {
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
      else {
        seen.bodyParsed = false;
        seen.unread = true;
      }
      return null;
    },
    settle() {
      seen.answerBytes = size;
    },
    salvage: () => null,
    // A JSON body cut short carries no usage.
    unsent: () => {},
    midFrame: false,
    sawEndMarker: false,
  };
}

/**
 * Reads usage from a complete JSON response body; never throws. A body that does not parse,
 * or that the adapter fails on (a shape it did not expect), leaves the usage unknown.
 */
export function observeJson(bytes: Uint8Array, seen: BodyObservation, adapter: ProviderAdapter, info: RequestInfo): void {
  // An answer whose adapter reads a few members of a large body (Images: `usage`; OCR: the count of its pages) parses only those.
  const wanted = adapter.usageJsonKeys?.(info);
  const json = wanted === undefined ? parseJsonBytes(bytes) : (pickJsonKeys(bytes, wanted.keys, wanted.counted) ?? parseJsonBytes(bytes));
  if (json === undefined) {
    seen.bodyParsed = false;
    seen.unparsedWhy = bytes.length === 0 ? 'the answer had no body' : `the answer (${bytes.length} bytes) did not parse as JSON`;
    return;
  }
  try {
    seen.observed = adapter.usageFromJson(info, json);
  } catch (error) {
    seen.bodyParsed = false;
    const reason = error instanceof Error ? error.message : String(error);
    seen.unparsedWhy = `the answer's JSON is not in a shape the ${adapter.family} adapter reads (${reason})`;
    return;
  }
  // No usage in an answer parsed whole: the text it generated is measured for the estimate
  // (BodyObservation.answerChars). An answer with usage never gets here.
  if (seen.observed.usage === null && wanted === undefined && seen.observed.pendingId === undefined) seen.answerChars = answerTextLengthOf(adapter, info, json);
}

