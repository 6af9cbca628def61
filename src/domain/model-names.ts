import { utf8Length } from '../lib/utf8-length.js';

/**
 * The bound on model names. A model name comes from the client's request (body `model`,
 * or a URL path) or from the provider's answer, so it can be any length; the stores keep
 * it in indexed columns (rollup_dims.ident on both stores), and a PostgreSQL btree entry
 * holds at most about a third of a page, 2,704 bytes (PostgreSQL docs, "B-Tree Indexes,
 * Introduction": after TOAST compression, which random text does not get). No provider
 * names a model anywhere near MAX_MODEL_NAME_BYTES: Hugging Face repo ids, the model names
 * of the OpenAI-compatible hosts, are at most 96 characters (huggingface_hub validators).
 * Imports only lib/utf8-length.ts.
 *
 * Budget of one rollup_dims.ident at the bound (JSON text, UTF-8 bytes): key name and
 * provider ≤ 64 each, endpoint ~30, tag key ≤ 64, tag value ≤ 256 characters (≤ 1,024
 * bytes), model ≤ 256, with punctuation, outcome and status about 1.6 KB: under 2,704.
 */

/** Longest model name a request may name, and longest one stored, in UTF-8 bytes. */
export const MAX_MODEL_NAME_BYTES = 256;
/** Ends a model name the store cut to MAX_MODEL_NAME_BYTES (3 UTF-8 bytes). */
export const CUT_MODEL_NAME_MARK = '…';

/** True when `name` is longer than MAX_MODEL_NAME_BYTES. Cheap for short names (no byte count below 86 UTF-16 units). */
export function isModelNameTooLong(name: string): boolean {
  // A UTF-16 unit is at most 3 UTF-8 bytes; the byte count is never below the unit count.
  if (name.length * 3 <= MAX_MODEL_NAME_BYTES) return false;
  if (name.length > MAX_MODEL_NAME_BYTES) return true;
  return utf8Length(name) > MAX_MODEL_NAME_BYTES;
}

/**
 * The model name as stored: `name` itself when it is at most MAX_MODEL_NAME_BYTES long,
 * else its longest prefix of whole characters (a surrogate pair is never split) that
 * leaves room for CUT_MODEL_NAME_MARK, followed by it: at most MAX_MODEL_NAME_BYTES.
 * Null stays null. Both stores write and roll up this form, so they hold the same name.
 */
export function storedModelName(name: string): string;
export function storedModelName(name: string | null): string | null;
export function storedModelName(name: string | null): string | null {
  if (name === null || !isModelNameTooLong(name)) return name;
  const room = MAX_MODEL_NAME_BYTES - utf8Length(CUT_MODEL_NAME_MARK);
  let bytes = 0;
  let end = 0;
  while (end < name.length) {
    const pair = (name.charCodeAt(end) & 0xfc00) === 0xd800 && (name.charCodeAt(end + 1) & 0xfc00) === 0xdc00;
    const next = end + (pair ? 2 : 1);
    const size = utf8Length(name.slice(end, next));
    if (bytes + size > room) break;
    bytes += size;
    end = next;
  }
  return name.slice(0, end) + CUT_MODEL_NAME_MARK;
}
