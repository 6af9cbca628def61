import { canonicalTagValue } from '../domain/names.js';
import { UsageError } from '../lib/errors.js';
import type { WhereClause } from './types.js';

/** The value that selects calls whose tag value is the empty text (reports label that group `""`). */
const EMPTY_VALUE = '""';

/**
 * A filter's value as typed → the value it matches: `""` is the empty tag value, anything
 * else itself in NFC, as tag values are stored (domain/names.ts canonicalTagValue), so `ü4`
 * typed decomposed finds the calls tagged `ü4`.
 */
export function filterValue(typed: string): string {
  return typed === EMPTY_VALUE ? '' : canonicalTagValue(typed);
}

/**
 * A filter as typed: `k=v` or `k!=v`, the key everything before the first `!=` or `=`
 * (trimmed), the value as written. `(none)` matches calls without the tag (report/query.ts)
 * and `""` the empty tag value, the group a report labels `""`. `name` is what the filter is
 * called where it was written (`--where`, `--batch-tag`, the admin API's `where`), for the error.
 */
export function parseWhere(raw: string, name: string): WhereClause {
  const m = /^([^=!]+)(!=|=)(.*)$/.exec(raw);
  if (!m || m[1]!.trim() === '' || m[3] === '') {
    throw new UsageError(`${name} "${raw}" must look like key=value or key!=value (value "(none)" matches calls without the tag, "" the empty value).`);
  }
  return { key: m[1]!.trim(), op: m[2] as '=' | '!=', value: filterValue(m[3]!) };
}
