import { editDistance } from '../lib/edit-distance.js';
import { builtinNameNear } from './checks.js';
import { priceConfigWarnings } from './price-provider-warnings.js';
import { formatPath } from './problems.js';
import type { Config } from './schema.js';

/**
 * What `config check` warns about (exit 0) in a config serve accepts: custom providers named
 * like a typo of a built-in one, alert fractions a hard budget never reaches, then the
 * `prices:` warnings (price-provider-warnings.ts priceConfigWarnings). Each reads
 * `field.path: what looks wrong and what to do`.
 */
export function configWarnings(config: Pick<Config, 'providers' | 'prices' | 'keys' | 'budgets'>): string[] {
  return [...providerNameWarnings(config), ...unreachableAlertWarnings(config), ...priceConfigWarnings(config)];
}

/**
 * One warning per custom provider (not built in) whose name is within two edits of a built-in
 * provider's (`opneai`): with a `base_url` it is a valid provider of its own, reached at
 * /proxy/<name>, and with the built-in one's key variable unread, so a typo would pass unseen.
 * (Without a `base_url` it is refused, with the same hint: checks.ts.)
 */
function providerNameWarnings(config: Pick<Config, 'providers'>): string[] {
  return Object.entries(config.providers).flatMap(([name, provider]) => {
    const near = builtinNameNear(name);
    if (near === undefined || provider.base_url === undefined || !closeEnough(name, near)) return [];
    const kind = provider.kind ?? 'openai-compatible';
    return [`providers.${name}: not a built-in provider; did you mean "${near}"? As written it is a custom provider of kind ${kind} at ${provider.base_url}, reached at /proxy/${name}`];
  });
}

/**
 * Whether a valid custom provider's name is close enough to a built-in one to warn: two edits
 * for a name of 5 characters or more (`opneai`), one for a shorter one (two edits turn `az`
 * into `xai`, and an Azure provider named az is no typo).
 */
function closeEnough(name: string, builtin: string): boolean {
  return editDistance(name, builtin) <= (name.length >= 5 ? 2 : 1);
}

/**
 * One warning per `alert_at` fraction above 1 on a budget that is not soft: such a budget
 * refuses calls once its spend reaches the limit (overshooting by one call's cost at most), so
 * an alert at 150% never fires. Fractions up to 10 are accepted (domain/alert-at.ts), for
 * soft budgets, whose spend may pass the limit.
 */
function unreachableAlertWarnings(config: Pick<Config, 'keys' | 'budgets'>): string[] {
  type Held = { at: readonly (string | number)[]; budget: { alert_at: readonly number[]; soft: boolean } };
  const budgets: Held[] = [
    ...Object.entries(config.keys).flatMap(([name, key]) => (key.budget ? [{ at: ['keys', name, 'budget'], budget: key.budget }] : [])),
    ...config.budgets.map((budget, i) => ({ at: ['budgets', i], budget })),
  ];
  const why =
    'this budget refuses calls once its spend reaches the limit, so the spend never gets there and the alert never fires; ' +
    'write 1 for an alert at 100%, or set soft: true to alert past the limit without refusing';
  return budgets.flatMap(({ at, budget }) =>
    budget.soft ? [] : budget.alert_at.flatMap((f, i) => (f > 1 ? [`${formatPath([...at, 'alert_at', i])}: ${f} is ${Number((f * 100).toFixed(1))}% of the limit: ${why}`] : [])),
  );
}
