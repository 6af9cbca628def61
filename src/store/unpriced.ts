import type { UsageSource } from './types.js';

/**
 * "Unpriced", the one definition every command uses (`report`'s unpriced calls and
 * footer, rollups, `tokometer prices unpriced`, the audit): a call whose usage is known
 * (reported by the provider, or estimated from the prompt and the stream) and that no
 * price applied to (cost_nano NULL). Calls whose usage is unknown (usage_source
 * 'unknown': the body did not parse) have no cost either, but adding a price would not
 * change that, so they are not unpriced; calls that were not metered cost 0.
 */

/** Usage sources whose token counts are known. */
export const KNOWN_USAGE_SOURCES: readonly UsageSource[] = ['reported', 'estimated'];

const KNOWN_USAGE_SQL = KNOWN_USAGE_SOURCES.map((s) => `'${s}'`).join(', ');

/** SQL condition: the call row `alias` (of `calls`) is unpriced. */
export function unpricedSql(alias: string): string {
  return `${alias}.cost_nano IS NULL AND ${alias}.usage_source IN (${KNOWN_USAGE_SQL})`;
}

/**
 * SQL condition: the call row `alias` is a text-to-speech call (endpoint `audio.speech`)
 * recorded without tokens, billed per input character, which no price counts
 * (domain/billing-units.ts untokenedUnit, the same rule on a record): what the unpriced
 * footers name instead of advising a price.
 */
export function untokenedSpeechSql(alias: string): string {
  return `${alias}.endpoint = 'audio.speech' AND COALESCE(${alias}.input_tokens, 0) = 0 AND COALESCE(${alias}.output_tokens, 0) = 0`;
}

/** The same rule on a call record. */
export function isUnpriced(call: { readonly costNano: number | null; readonly usageSource: UsageSource }): boolean {
  return call.costNano === null && KNOWN_USAGE_SOURCES.includes(call.usageSource);
}

/**
 * Why a call has no cost (cost_nano NULL), for what serve says of it (proxy/uncosted-on-budget.ts,
 * /metrics): `unpriced` (above), or `usage_unknown` (usage_source 'unknown': nothing to price).
 */
export type NoCostReason = 'unpriced' | 'usage_unknown';

/** Why `call` has no cost; null when it has one (priced, or not metered at 0). */
export function whyNoCost(call: { readonly costNano: number | null; readonly usageSource: UsageSource }): NoCostReason | null {
  if (call.costNano !== null) return null;
  if (call.usageSource === 'unknown') return 'usage_unknown';
  return isUnpriced(call) ? 'unpriced' : null;
}
