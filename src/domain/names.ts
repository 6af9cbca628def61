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

/** True when `key` may be used as a tag key (see TAG_KEY_RE). */
export function isValidTagKey(key: string): boolean {
  return TAG_KEY_RE.test(key);
}

/** A provider name: lower-case letters, digits, `_` and `-`, starting with a letter or digit, at most 64 characters. */
export const PROVIDER_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;
/** Human description of PROVIDER_NAME_RE, used in error messages. */
export const PROVIDER_NAME_RULE = 'lower-case letters, digits, _ and -; it is the /proxy/<name>/ path segment';
