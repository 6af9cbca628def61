import { concatBytes } from '../lib/bytes.js';
import type { ChunkRead, ChunkSource } from './types.js';

/**
 * The provider key kept out of error answers. A provider that refuses a key often quotes
 * what it got (OpenAI: `Incorrect API key provided: Bearer sk-…`), and the proxy sent the
 * configured key, not the client's: relayed as is, the answer would hand every client the
 * provider key. Only non-2xx answers are searched (respond.ts), so the 2xx path never pays
 * for it; every occurrence of the key's bytes is replaced by a mask that names it by its
 * last four characters (as OpenAI shows keys), or not at all for a short key.
 */
export interface KeyMask {
  /** The key's UTF-8 bytes; never empty. */
  secret: Uint8Array;
  /** What the client reads in its place, e.g. `[provider key …2e1b]`. */
  mask: Uint8Array;
}

/** Keys shorter than this are masked whole: their last four characters would tell too much. */
const SHORTEST_NAMED_KEY = 20;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/** The mask of `apiKey`, or null when there is no key to hide. */
export function keyMaskFor(apiKey: string | null): KeyMask | null {
  if (apiKey === null || apiKey === '') return null;
  const named = apiKey.length >= SHORTEST_NAMED_KEY ? ` …${apiKey.slice(-4)}` : '';
  return { secret: encoder.encode(apiKey), mask: encoder.encode(`[provider key${named}]`) };
}

/** `bytes` with every occurrence of the key masked; `bytes` itself when it holds none. */
export function maskKey(bytes: Uint8Array, m: KeyMask): Uint8Array {
  return indexOf(bytes, m.secret, 0) === -1 ? bytes : masked(bytes, m, true).out;
}

/**
 * `source` read with the key masked. A key may arrive split across chunks, so the last
 * `secret.length - 1` bytes of what was read are held back until the next chunk (or the
 * end) shows whether they start it: an error body reaches the client a few bytes late.
 */
export function maskingSource(source: ChunkSource, m: KeyMask): ChunkSource {
  let held: Uint8Array = EMPTY;
  let ended = false;
  return {
    async read(): Promise<ChunkRead> {
      for (;;) {
        if (ended) return { done: true };
        const next = await source.read();
        if (next.done) {
          ended = true;
          if (held.length === 0) return { done: true };
          const rest = held;
          held = EMPTY;
          return { done: false, value: rest };
        }
        const { out, rest } = masked(held.length === 0 ? next.value : concatBytes([held, next.value]), m, false);
        held = rest;
        if (out.length > 0) return { done: false, value: out };
      }
    },
    cancel: () => source.cancel(),
  };
}

/**
 * `bytes` with every whole occurrence of the key masked, split into what can be sent (`out`)
 * and, unless `final`, the tail that may be the start of a key the next chunk completes.
 */
function masked(bytes: Uint8Array, m: KeyMask, final: boolean): { out: Uint8Array; rest: Uint8Array } {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (let i = indexOf(bytes, m.secret, 0); i !== -1; i = indexOf(bytes, m.secret, at)) {
    parts.push(bytes.subarray(at, i), m.mask);
    at = i + m.secret.length;
  }
  const keepFrom = final ? bytes.length : Math.max(at, bytes.length - (m.secret.length - 1));
  parts.push(bytes.subarray(at, keepFrom));
  return { out: concatBytes(parts), rest: bytes.slice(keepFrom) };
}

/** Index of the first `needle` in `hay` at or after `from`, or -1. */
function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = hay.length - needle.length;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= last; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

