import { tagDimension } from '../report/types.js';

/**
 * Which dimensions the spend table cycles through, in what order, and where a drill-down
 * goes next. Pure.
 */

/** Built-in dimensions the table offers after the tag keys (SPEC §7 `--by`). */
export const TABLE_BUILTINS = ['model', 'provider', 'key'] as const;

/** Tag keys the product is about (SPEC: "which feature, which user tier, which tenant"): listed first. */
export const PREFERRED_TAGS: readonly string[] = ['feature', 'user_tier', 'tenant_id'];

/**
 * Tag keys seen (preferred ones first, the rest alphabetically by key), then model, provider,
 * key. Each tag key as the dimension that names it, as in `report --by`: one named like a
 * built-in as `tag:NAME` (`tag:model`, since bare `model` is the built-in), one that starts
 * with `tag:` with the prefix again (report/types.ts tagDimension).
 */
export function orderDimensions(tagKeys: readonly string[]): string[] {
  const tags = [...new Set(tagKeys)];
  const preferred = PREFERRED_TAGS.filter((k) => tags.includes(k));
  const rest = tags.filter((k) => !PREFERRED_TAGS.includes(k)).sort();
  return [...[...preferred, ...rest].map(tagDimension), ...TABLE_BUILTINS];
}

/**
 * The dimension to show after drilling into a group: `model` (which model is this group
 * spending on?) unless already drilled, else the first dimension of the cycle that is not
 * drilled yet. So `feature=summarizer` shows models, then `model=gpt-4o` shows user tiers.
 * Undefined when every dimension is drilled.
 */
export function drillTarget(dimensions: readonly string[], drilled: readonly string[]): string | undefined {
  const open = dimensions.filter((d) => !drilled.includes(d));
  return open.includes('model') ? 'model' : open[0];
}

/** Dimensions the table may cycle through while `drilled` are fixed by the drill path. */
export function cyclable(dimensions: readonly string[], drilled: readonly string[]): string[] {
  return dimensions.filter((d) => !drilled.includes(d));
}
