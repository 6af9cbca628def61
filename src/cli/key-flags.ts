import { isKnownProvider } from '../config/checks.js';
import type { Config } from '../config/schema.js';
import { MAX_ALERT_FRACTION, alertFractionTooLarge, isStrictlyIncreasing } from '../domain/alert-at.js';
import { canonicalTagValue, isValidTagKey, MAX_TAG_VALUE_CHARS } from '../domain/names.js';
import { CONTROL_CHARS_RULE, describeControlChar } from '../lib/control-chars.js';
import { UsageError } from '../lib/errors.js';
import { MAX_LIMIT_USD, subNanoLimitProblem, usdToNano } from '../lib/money.js';
import type { BudgetPeriod, KeyBudget } from '../store/types.js';

/**
 * The flags of `tokometer keys create|set` (cli/keys.ts), checked and parsed: each refusal is
 * a UsageError (exit 2) saying what is wrong, as the config and the admin API refuse the same
 * values, so a key the command line stores is one they would accept.
 */

export const PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month', 'total'];

export interface KeyFlags {
  db?: string;
  config?: string;
  budget?: string;
  period?: string;
  alertAt?: string;
  soft?: boolean;
  tag?: string[];
  provider?: string[];
  model?: string[];
}

export function parseTagFlags(tags: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of tags ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--tag expects key=value, got '${pair}'`);
    const key = pair.slice(0, eq);
    if (!isValidTagKey(key)) throw new UsageError(`--tag: invalid tag key ${JSON.stringify(key)} (letters, digits, _ . : -, 1-64 characters)`);
    const value = canonicalTagValue(pair.slice(eq + 1));
    const control = describeControlChar(value);
    if (control !== null) throw new UsageError(`--tag: the value of '${key}' has a control character (${control}); ${CONTROL_CHARS_RULE}`);
    const chars = [...value].length;
    if (chars > MAX_TAG_VALUE_CHARS) throw new UsageError(`--tag: the value of '${key}' is ${chars} characters long (at most ${MAX_TAG_VALUE_CHARS})`);
    out[key] = value;
  }
  return out;
}

/**
 * The values of an allow-list flag (`--model`, `--provider`), none empty: an empty name
 * (`--model ''`, an unset shell variable) matches no request, so every call of the key
 * would be refused with 403 while `keys list` shows no restriction.
 */
export function allowListNames(flag: string, names: readonly string[] | undefined): string[] {
  for (const name of names ?? []) {
    if (name.trim() === '') throw new UsageError(`${flag}: an empty name (${JSON.stringify(name)}) matches no request, so every call of the key would be refused; leave ${flag} out to allow all`);
  }
  return [...(names ?? [])];
}

/** `--provider` values, each a provider serve knows (built in, or under providers: in the config): a typo would refuse every call of the key. */
export function checkedProviders(names: readonly string[] | undefined, config: Config): string[] {
  for (const name of allowListNames('--provider', names)) {
    if (!isKnownProvider(config, name)) throw new UsageError(`--provider: unknown provider '${name}' (known: ${Object.keys(config.providers).sort().join(', ')}; add others under providers: in the config)`);
  }
  return [...(names ?? [])];
}

export function parseBudget(flags: KeyFlags, current: KeyBudget | null): KeyBudget | null {
  if (flags.budget === 'none') return null;
  let limitNano = current?.limitNano;
  if (flags.budget !== undefined) {
    // Decimal dollars only: Number() would also take '' (0), '0x10' (16) and '1e20'.
    const usd = /^(\d+(\.\d*)?|\.\d+)$/.test(flags.budget.trim()) ? Number(flags.budget) : NaN;
    if (!Number.isFinite(usd)) throw new UsageError(`--budget expects a USD amount such as 25 or 12.50 (or "none" to remove the cap), got '${flags.budget}'`);
    if (usd > MAX_LIMIT_USD) throw new UsageError(`--budget may be at most ${MAX_LIMIT_USD} USD (larger amounts cannot be counted to the nano-dollar), got '${flags.budget}'`);
    const subNano = subNanoLimitProblem(usd, `'${flags.budget}'`);
    if (subNano !== null) throw new UsageError(`--budget ${subNano}`);
    limitNano = usdToNano(usd);
  }
  if (limitNano === undefined) {
    // `!== undefined`: an empty value ('', an unset shell variable) is a flag given too.
    if (flags.period !== undefined || flags.alertAt !== undefined || flags.soft !== undefined) throw new UsageError('--period, --alert-at, --no-soft and --soft need --budget');
    return null;
  }
  const period = (flags.period ?? current?.period ?? 'month') as BudgetPeriod;
  if (!PERIODS.includes(period)) throw new UsageError(`--period must be one of ${PERIODS.join(', ')}, got '${flags.period}'`);
  let alertAt = current?.alertAt ?? [0.5, 0.8, 1];
  if (flags.alertAt !== undefined) {
    // Not the default: an empty list (an unset shell variable) would otherwise pass unseen.
    if (flags.alertAt.trim() === '') throw new UsageError(`--alert-at is empty: give increasing fractions such as 0.5,0.8,1, or leave the flag out (keys create: 0.5,0.8,1; keys set: the key's own)`);
    alertAt = flags.alertAt.split(',').map((s) => Number(s.trim()));
    if (alertAt.some((f) => !Number.isFinite(f) || f <= 0)) throw new UsageError(`--alert-at expects positive fractions like 0.5,0.8,1, got '${flags.alertAt}'`);
    // Refused, not sorted, as the config and the admin API refuse such a list.
    const tooLarge = alertAt.find((f) => f > MAX_ALERT_FRACTION);
    if (tooLarge !== undefined) throw new UsageError(`--alert-at '${flags.alertAt}': ${alertFractionTooLarge(tooLarge, '--alert-at')}`);
    if (!isStrictlyIncreasing(alertAt)) throw new UsageError(`--alert-at '${flags.alertAt}': the fractions must be increasing, each larger than the one before (as alert_at in the config), e.g. 0.5,0.8,1`);
  }
  return { limitNano, period, alertAt, soft: flags.soft ?? current?.soft ?? false };
}
