import { TAG_KEY_RE } from '../../domain/names.js';
import { UsageError } from '../../lib/errors.js';

export { TAG_KEY_RE } from '../../domain/names.js';

/**
 * What reports group and filter by: the built-in dimensions (columns of `calls`, and time
 * buckets) and tag keys. The store's report queries turn these into SQL (scope.ts); the
 * report layer and the TUI share the names through report/types.ts.
 */

/**
 * Dimensions that are columns of `calls`, not tags. They shadow tags of the same name.
 * `outcome` is how the call ended (ok, upstream_error, upstream_failed, refused,
 * client_aborted); `status` the HTTP status the client got, as text (`0`: none sent).
 */
export const BUILTIN_DIMENSIONS = ['model', 'provider', 'key', 'endpoint', 'outcome', 'status', 'day', 'week', 'month'] as const;
export type BuiltinDimension = (typeof BUILTIN_DIMENSIONS)[number];

/** Time buckets, in the report's time zone; weeks start on Monday and are labelled by that Monday. */
export const TIME_DIMENSIONS = ['day', 'week', 'month'] as const;
export type TimeDimension = (typeof TIME_DIMENSIONS)[number];

/** Built-in dimensions that are a column of the call (not a time bucket). */
export type ColumnDimension = Exclude<BuiltinDimension, TimeDimension>;

/** Group value for calls that lack the tag (or the column is NULL). */
export const NONE = '(none)';
/** The label reports show for the group that sums everything outside the top N (its row's kind is `other`). */
export const OTHER = '(other)';
/**
 * The value the store gives that pooled group, until the report labels it OTHER
 * (report/query.ts). It starts with U+001F, a control character no tag value may hold
 * (SPEC §4), so a call tagged with the text `(other)` keeps a group of its own instead of
 * merging into the pool.
 */
export const OTHER_GROUP = '\u001f(other)';

/**
 * The prefix that names a tag whatever its name: `tag:model` is the tag `model` (SPEC §4 lets
 * a call carry one), where bare `model` is the built-in. A tag key that itself starts with
 * `tag:` is named with the prefix again (`tag:tag:x`).
 */
export const TAG_PREFIX = 'tag:';

/** The tag key `dim` names, or null for a built-in: `feature` → feature, `tag:model` → model, `model` → null. */
export function tagKeyOf(dim: string): string | null {
  if (dim.startsWith(TAG_PREFIX)) return dim.slice(TAG_PREFIX.length);
  return isBuiltin(dim) ? null : dim;
}

/**
 * The dimension that names the tag `key`, tagKeyOf's inverse: `feature` → feature, `model` →
 * tag:model (bare, it is the built-in), `tag:x` → tag:tag:x.
 */
export function tagDimension(key: string): string {
  return isBuiltin(key) || key.startsWith(TAG_PREFIX) ? TAG_PREFIX + key : key;
}

export function isBuiltin(dim: string): dim is BuiltinDimension {
  return (BUILTIN_DIMENSIONS as readonly string[]).includes(dim);
}

export function isTimeDimension(dim: string): dim is TimeDimension {
  return (TIME_DIMENSIONS as readonly string[]).includes(dim);
}

/**
 * One filter. `key` is a built-in column (model, provider, key, endpoint, outcome, status), a
 * tag key, or `tag:` and a tag key (tagKeyOf).
 * `!=` keeps calls without the tag (a call with no `feature` is not `feature=chat`).
 * The value `(none)` means the `(none)` group: `feature=(none)` keeps untagged calls (and those
 * tagged with the text `(none)`, which the group holds too: scope.ts).
 */
export interface WhereClause {
  key: string;
  op: '=' | '!=';
  value: string;
}

/**
 * Filters as they combine: one group per key and operator, in the order first written, each
 * value once. A `=` group keeps the calls whose value is ANY of its values (repeating
 * `--where k=v` on one key widens the report), a `!=` group those whose value is NONE of
 * them; every group applies (AND), so different keys narrow as before.
 */
export interface WhereGroup {
  key: string;
  op: '=' | '!=';
  values: string[];
}

export function whereGroups(where: readonly WhereClause[]): WhereGroup[] {
  const groups = new Map<string, WhereGroup>();
  for (const w of where) {
    const id = `${w.op}\u0000${w.key}`;
    const group = groups.get(id) ?? { key: w.key, op: w.op, values: [] };
    if (!group.values.includes(w.value)) group.values.push(w.value);
    groups.set(id, group);
  }
  return [...groups.values()];
}

/** Throws a UsageError unless `dim` is a built-in or a well-formed tag key. */
export function checkDimension(dim: string, flag: string): void {
  const tag = tagKeyOf(dim);
  if (tag !== null && !TAG_KEY_RE.test(tag)) {
    throw new UsageError(
      `${flag} "${dim}" is neither a built-in (${BUILTIN_DIMENSIONS.join(', ')}) nor a tag key ([A-Za-z0-9_.:-], 1–64 characters).`,
    );
  }
}

/** Throws a UsageError unless `w` can filter calls (a time bucket cannot: that is what --since/--until do); `names` are the inputs as the caller calls them. */
export function checkFilter(w: WhereClause, names: { where: string; since: string; until: string } = { where: '--where', since: '--since', until: '--until' }): void {
  checkDimension(w.key, names.where);
  if (isTimeDimension(w.key)) throw new UsageError(`${names.where} cannot filter on "${w.key}"; use ${names.since} and ${names.until} (a tag named ${w.key} is ${names.where} ${TAG_PREFIX}${w.key}=…).`);
}
