import type { StreamAccumulator } from './types.js';

/**
 * Small, total helpers the adapters use to read providers' JSON defensively: they
 * never throw, and anything of the wrong type reads as absent.
 */
export type Json = Record<string, unknown>;

export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object at `v`, or an empty one. */
export const objAt = (v: unknown): Json => (isObj(v) ? v : {});

/** A non-empty string, or null. */
export const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** A finite non-negative number. */
export const isAmount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A token count: a finite non-negative number, rounded; undefined for anything else (null included). */
export const count = (v: unknown): number | undefined => (isAmount(v) ? Math.round(v) : undefined);

/** JSON.parse that returns undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Stateless for whole-buffer decodes, so one instance serves every call. */
const DECODER = new TextDecoder();

/** The UTF-8 JSON document `bytes`, parsed; undefined when it is not JSON. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  return parseJson(DECODER.decode(bytes));
}

/** For endpoints that are not metered: forwards every frame, observes nothing. */
export const passThrough = (): StreamAccumulator => ({ onFrame: () => true, finish: () => ({ usage: null, model: null }) });

/**
 * `/v1/chat/completions/?x=1` → `/chat/completions`: drops the query and trailing
 * slashes, and with `stripV1` a leading `/v1` (SDKs differ on whether the base URL has it).
 */
export function normalisePath(path: string, stripV1: boolean): string {
  let p = path.split('?', 1)[0] ?? '';
  if (!p.startsWith('/')) p = `/${p}`;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return stripV1 && p.startsWith('/v1/') ? p.slice(3) : p;
}
