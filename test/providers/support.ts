import { expect } from 'vitest';
import { type ErrorKind, STATUS_BY_KIND } from '../../src/lib/errors.js';
import { SseFramer } from '../../src/providers/sse.js';
import type { Observed, PreparedRequest, ProviderAdapter, RequestInfo, SseFrame, Usage } from '../../src/providers/types.js';

/** A Usage with every count 0 but those given. */
export function usage(partial: Partial<Usage>): Usage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, ...partial };
}

/**
 * An adapter's error rendering written as the provider documents it: for each rendered
 * value (an error type, a status word), the tokometer error kinds that render as it.
 * Checks that every kind is listed exactly once, and returns `[kind, value]` pairs.
 */
export function kindsByRenderedValue(byValue: Readonly<Record<string, readonly ErrorKind[]>>): Array<[ErrorKind, string]> {
  const pairs = Object.entries(byValue).flatMap(([value, kinds]) => kinds.map((kind) => [kind, value] as [ErrorKind, string]));
  expect(pairs.map(([kind]) => kind).sort(), 'every error kind, once').toEqual(Object.keys(STATUS_BY_KIND).sort());
  return pairs;
}

const dec = new TextDecoder();

/** What a stream replayed through an adapter's accumulator gave: its observation, and which frames reached the client. */
export interface Replayed {
  observed: Observed;
  /** The raw text of the frames the client gets, in order. */
  kept: string;
  /** The raw text of each frame held back. */
  dropped: string[];
  /** Every frame, kept or not. */
  frames: SseFrame[];
}

/**
 * Replays a response stream the way the relay does: through the SSE framer in
 * `chunkBytes`-byte pieces (so frames split anywhere), each frame offered to a fresh
 * accumulator of `adapter` for the request `req` as `prepared`.
 */
export function replayStream(adapter: ProviderAdapter, req: RequestInfo, prepared: PreparedRequest, stream: string | Uint8Array, chunkBytes = 7): Replayed {
  const bytes = typeof stream === 'string' ? new TextEncoder().encode(stream) : stream;
  const acc = adapter.newStreamAccumulator(req, prepared);
  const framer = new SseFramer();
  const kept: string[] = [];
  const dropped: string[] = [];
  const frames: SseFrame[] = [];
  const sink = (frame: SseFrame, raw: Uint8Array): void => {
    frames.push(frame);
    (acc.onFrame(frame) ? kept : dropped).push(dec.decode(raw));
  };
  for (let i = 0; i < bytes.length; i += chunkBytes) framer.push(bytes.subarray(i, i + chunkBytes), sink);
  framer.end(sink);
  return { observed: acc.finish(), kept: kept.join(''), dropped, frames };
}
