import { randomFillSync } from 'node:crypto';

/**
 * Call ids: a UUID version 7 (RFC 9562) per call, given by the record writer that first
 * accepts the call. The first 48 bits are the call's start in ms, so ids of one period
 * sit together in an index; 74 random bits make two replicas' ids collide with
 * negligible probability. A call keeps its id through the spill file and replays, which
 * is what lets a store write each call once (PostgreSQL: UNIQUE (ts, call_uid)).
 */

const POOL = 4096;
const pool = Buffer.alloc(POOL);
let offset = POOL;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomByte(): number {
  if (offset === POOL) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++]!;
}

/** A new UUIDv7 string for a call that started at `ts` (ms since the epoch). */
export function newCallId(ts: number): string {
  const ms = Math.max(0, Math.min(Math.trunc(ts), 2 ** 48 - 1));
  const hi = Math.floor(ms / 2 ** 16);
  const b: number[] = [(hi >>> 24) & 0xff, (hi >>> 16) & 0xff, (hi >>> 8) & 0xff, hi & 0xff, (ms >>> 8) & 0xff, ms & 0xff];
  for (let i = 6; i < 16; i++) b.push(randomByte());
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.map((x) => HEX[x]!);
  return `${h.slice(0, 4).join('')}-${h.slice(4, 6).join('')}-${h.slice(6, 8).join('')}-${h.slice(8, 10).join('')}-${h.slice(10, 16).join('')}`;
}

/** True for a UUID in the 8-4-4-4-12 hex form (any version). */
export function isCallId(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
