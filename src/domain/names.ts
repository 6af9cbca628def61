/**
 * The syntax of the names users write: tag keys and values (SPEC §4) and provider names
 * (SPEC §2, the `/proxy/<name>/` path segment). Config, proxy, report and the CLI all
 * check against these, so they are defined here once. Imports nothing.
 */

/** A tag key: 1-64 of letters, digits, `_ . : -`. */
export const TAG_KEY_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
/** Human description of TAG_KEY_RE, used in error messages. */
export const TAG_KEY_RULE = 'allowed: letters, digits, _ . : -, 1-64 chars';
/** Longest tag value, in characters (Unicode code points), after stringification. */
export const MAX_TAG_VALUE_CHARS = 256;

/** String.prototype.isWellFormed / toWellFormed (ES2024; Node 20 and Bun have them, the ES2023 lib types do not). */
type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };

/** A character outside ASCII (U+0080 and above, surrogates included). */
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * A tag value as it is stored, budgeted and reported: each lone surrogate (`"\ud800"` is
 * valid JSON) replaced by U+FFFD, as its UTF-8 bytes would be everywhere else, then Unicode
 * NFC, so that "ü" typed composed (U+00FC) or decomposed (u + U+0308) is one value: one
 * budget instance, one report row. ASCII text (the common case) is returned as is after one
 * regex test, without allocating. Tag keys need no such step: TAG_KEY_RE admits ASCII only.
 */
export function canonicalTagValue(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  const s = text as Es2024String;
  return (s.isWellFormed() ? text : s.toWellFormed()).normalize('NFC');
}

/** True when `key` may be used as a tag key (see TAG_KEY_RE). */
export function isValidTagKey(key: string): boolean {
  return TAG_KEY_RE.test(key);
}

/** A provider name: lower-case letters, digits, `_` and `-`, starting with a letter or digit, at most 64 characters. */
export const PROVIDER_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Human description of PROVIDER_NAME_RE, used in error messages. */
export const PROVIDER_NAME_RULE = 'lower-case letters, digits, _ and -; it is the /proxy/<name>/ path segment';
