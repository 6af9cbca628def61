import { expect, it } from 'vitest';
import { type ErrorKind, STATUS_BY_KIND } from '../../src/lib/errors.js';
import { SseFramer } from '../../src/providers/sse.js';
import type { EndpointKind, Observed, PreparedRequest, ProviderAdapter, RequestInfo, SseFrame, Usage } from '../../src/providers/types.js';

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

/** What describe answers for a request tokometer forwards without metering. */
export const UNMETERED: RequestInfo = { endpoint: 'other', kind: 'other', metered: false, model: null, streaming: false, maxOutputTokens: null };

/** A metered request's description: `endpoint` of `kind`, with the request fields given (otherwise no model, not streamed, no output limit). */
export function metered(endpoint: string, kind: EndpointKind, fields: Partial<Pick<RequestInfo, 'model' | 'streaming' | 'maxOutputTokens'>> = {}): RequestInfo {
  return { endpoint, kind, metered: true, model: null, streaming: false, maxOutputTokens: null, ...fields };
}

/**
 * Checks that `adapter` forwards each request (`'METHOD /path'`, no body) unmetered: its
 * description equals UNMETERED, or, when `partial` is given, has at least those fields.
 */
export function expectUnmetered(adapter: ProviderAdapter, requests: readonly string[], partial?: Partial<RequestInfo>): void {
  for (const request of requests) {
    const [method = '', path = ''] = request.split(' ');
    const info = adapter.describe(method, path, undefined);
    if (partial) expect(info, request).toMatchObject(partial);
    else expect(info, request).toEqual(UNMETERED);
  }
}

/** A route table: each endpoint name with its kind and the POST paths that must meter as it. */
export type MeteredRoutes = ReadonlyArray<readonly [endpoint: string, kind: EndpointKind, paths: readonly string[]]>;

/** Checks that a POST (empty body) to every path of `routes` is metered under its endpoint and kind. */
export function expectMetered(adapter: ProviderAdapter, routes: MeteredRoutes): void {
  for (const [endpoint, kind, paths] of routes) {
    for (const path of paths) expect(adapter.describe('POST', path, {}), path).toMatchObject({ endpoint, kind, metered: true });
  }
}

/** The headers of a client request, by what applyUpstreamAuth must do with them. */
export interface AuthHeaders {
  /** Sent by the client and gone upstream (its credentials, headers the adapter strips). */
  dropped: Record<string, string>;
  /** Sent by the client and passed upstream unchanged. */
  kept: Record<string, string>;
  /** Set by the adapter for the upstream request (the real key); may replace a dropped name. */
  added: Record<string, string>;
}

/**
 * Applies `adapter`'s upstream auth with the real key `apiKey` to a request carrying the
 * `dropped` and `kept` headers, and checks the upstream headers are exactly `kept` plus
 * `added`. Returns the query, which applyUpstreamAuth may edit in place.
 */
export function expectUpstreamAuth(adapter: ProviderAdapter, apiKey: string, { dropped, kept, added }: AuthHeaders, query = new URLSearchParams()): URLSearchParams {
  const headers = { ...dropped, ...kept };
  adapter.applyUpstreamAuth(headers, query, apiKey);
  expect(headers).toEqual({ ...added, ...kept });
  return query;
}

/** A fixture file and what usageFromJson must observe in its parsed body. */
export type FixtureCase = readonly [file: string, expected: Observed];

/** The usageFromJson tests every adapter shares (see itObservesJsonBodies). */
export interface JsonBodyCases {
  /** The adapter's usageFromJson for the request the bodies answer. */
  observe: (body: unknown) => Observed;
  /** Parses a fixture file. */
  load: (file: string) => unknown;
  fixtures: readonly FixtureCase[];
  /** Bodies with missing or malformed usage. */
  malformed: readonly unknown[];
}

/**
 * Registers one test per fixture, named by its file, that the observation of its body equals
 * the expected one; and one that each malformed body gives usage null without throwing.
 */
export function itObservesJsonBodies({ observe, load, fixtures, malformed }: JsonBodyCases): void {
  it.each(fixtures)('%s', (file, expected) => {
    expect(observe(load(file))).toEqual(expected);
  });
  it('returns usage null for missing or malformed usage and never throws', () => {
    for (const body of malformed) expect(observe(body).usage, JSON.stringify(body)).toBeNull();
  });
}

const dec = new TextDecoder();

/** What a stream replayed through an adapter's accumulator gave: its observation, and which frames reached the client. */
export interface Replayed {
  observed: Observed;
  /** The raw text of the frames the client gets, in order. */
  kept: string;
  /** The raw text of each frame held back. */
  dropped: string[];
  /** Every decoded frame, kept or not (frames the accumulator let pass undecoded are not here). */
  frames: SseFrame[];
  /** How many frames the accumulator let pass undecoded (`passes`). */
  passed: number;
}

/**
 * Replays a response stream the way the relay does: through the SSE framer in
 * `chunkBytes`-byte pieces (so frames split anywhere), each frame offered to a fresh
 * accumulator of `adapter` for the request `req` as `prepared`. Frames the accumulator's
 * `passes` lets through go to the client undecoded, as in the relay; `bypass: false`
 * decodes and offers every frame instead.
 */
export function replayStream(adapter: ProviderAdapter, req: RequestInfo, prepared: PreparedRequest, stream: string | Uint8Array, chunkBytes = 7, bypass = true): Replayed {
  const bytes = typeof stream === 'string' ? new TextEncoder().encode(stream) : stream;
  const acc = adapter.newStreamAccumulator(req, prepared);
  const kept: string[] = [];
  const dropped: string[] = [];
  const frames: SseFrame[] = [];
  let passed = 0;
  const framer = new SseFramer(
    bypass && acc.passes
      ? {
          passes: (raw) => acc.passes?.(raw) === true,
          passed: (raw) => {
            passed++;
            kept.push(dec.decode(raw));
          },
        }
      : undefined,
  );
  const sink = (frame: SseFrame, raw: Uint8Array): void => {
    frames.push(frame);
    (acc.onFrame(frame) ? kept : dropped).push(dec.decode(raw));
  };
  for (let i = 0; i < bytes.length; i += chunkBytes) framer.push(bytes.subarray(i, i + chunkBytes), sink);
  framer.end(sink);
  return { observed: acc.finish(), kept: kept.join(''), dropped, frames, passed };
}

/**
 * Replays `stream` with and without the accumulator's byte-level bypass (`passes`), in
 * 1-byte, 7-byte and whole chunks, and checks the two agree: the same observation, the
 * same bytes to the client, the same frames dropped, every frame either decoded or passed.
 * Returns how many frames passed undecoded (the same for every chunking).
 */
export function expectBypassChangesNothing(adapter: ProviderAdapter, req: RequestInfo, prepared: PreparedRequest, stream: string | Uint8Array): number {
  const passedCounts = new Set<number>();
  for (const chunkBytes of [1, 7, 1 << 20]) {
    const decoded = replayStream(adapter, req, prepared, stream, chunkBytes, false);
    const bypassed = replayStream(adapter, req, prepared, stream, chunkBytes, true);
    const what = `${chunkBytes}-byte chunks`;
    expect(bypassed.observed, what).toEqual(decoded.observed);
    expect(bypassed.kept, what).toBe(decoded.kept);
    expect(bypassed.dropped, what).toEqual(decoded.dropped);
    expect(decoded.passed, what).toBe(0);
    expect(bypassed.passed + bypassed.frames.length, what).toBe(decoded.frames.length);
    passedCounts.add(bypassed.passed);
  }
  expect(passedCounts.size, 'frames passed, whatever the chunking').toBe(1);
  return [...passedCounts][0] as number;
}

/** Runs `replay` on a stream the adapter must only observe, checks that all of it reached the client as sent, and returns the replay. */
export function relayed(replay: (stream: string, chunkBytes?: number) => Replayed, stream: string, chunkBytes?: number): Replayed {
  const out = replay(stream, chunkBytes);
  expect(out.kept, 'the client gets the stream as sent').toBe(stream);
  return out;
}
