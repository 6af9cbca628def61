import { z } from 'zod';
import { MAX_TAG_VALUE_CHARS, TAG_KEY_RE, TAG_KEY_RULE, canonicalTagValue } from '../domain/names.js';
import { CONTROL_CHARS_RULE, describeControlChar, hasControlChar } from '../lib/control-chars.js';

/**
 * Tags as the config file and the admin API accept them (SPEC §4): the config's
 * `keys.<name>.tags`, a budget's `match` and `per`, and the admin API's key tags share these
 * rules and messages. (The `X-Metering-Tags` header is parsed on the hot path by
 * proxy/tags.ts, to the same rules, without zod.)
 */

/** A tag key (domain/names.ts). */
export const tagKey = z.string().regex(TAG_KEY_RE, `invalid tag key (${TAG_KEY_RULE})`);

/**
 * A tag value: a string, number or boolean, stored as text of at most 256 characters, without
 * control characters (they would reach terminals), in NFC as the header's values are
 * (canonicalTagValue), so a key's tags and a budget's `match` meet the calls' values.
 */
export const tagValue = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => canonicalTagValue(String(v)))
  .pipe(
    z
      .string()
      .max(MAX_TAG_VALUE_CHARS, `tag value longer than ${MAX_TAG_VALUE_CHARS} characters`)
      .refine((v) => !hasControlChar(v), { error: (issue) => `tag value has a control character (${describeControlChar(String(issue.input))}); ${CONTROL_CHARS_RULE}` }),
  );

const PROTO = '__proto__';
const tagRecord = z.record(tagKey, tagValue);

/**
 * Tag key → tag value (text). zod's record leaves an own `__proto__` key out of its output
 * (assigning it would replace the object's prototype), but `__proto__` is a valid tag key
 * (SPEC §4) and the header keeps it: here it is checked like any value and kept as data, so
 * a key's tag is never dropped without a word.
 */
export const tagMap = z.unknown().transform((raw, ctx): Record<string, string> => {
  const parsed = tagRecord.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  if (!Object.prototype.hasOwnProperty.call(raw, PROTO)) return parsed.data;
  const value = tagValue.safeParse((raw as Record<string, unknown>)[PROTO], { reportInput: true });
  if (!value.success) {
    for (const issue of value.error.issues) ctx.addIssue({ ...issue, path: [PROTO, ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
    return z.NEVER;
  }
  // Rebuilt in the order written, `__proto__` defined rather than assigned.
  const tags: Record<string, string> = {};
  for (const key of Object.keys(raw as object)) {
    Object.defineProperty(tags, key, { value: key === PROTO ? value.data : parsed.data[key], enumerable: true, writable: true, configurable: true });
  }
  return tags;
});
