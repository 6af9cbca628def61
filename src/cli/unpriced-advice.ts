import { oneEditAway } from '../pricing/near-model.js';
import type { Pricer } from '../pricing/pricer.js';

/**
 * What to do about models recorded without a price, beyond "add a price": a model the
 * config's `prices:` prices now (its calls were recorded before the entry, or serve has not
 * restarted since) needs serve restarted and its recorded calls repriced; a model one edit
 * from a config entry's name is probably that entry misspelt. `prices unpriced` and
 * report's unpriced footer both use it.
 */

export interface UnpricedAdvice<T> {
  /** The models the plain advice ("add a price under prices:") is for: those the config does not price. */
  rest: T[];
  /** One sentence per model the config prices now, or whose name is one edit from a config entry's. */
  lines: string[];
}

/**
 * Sorts `models` by what to do: `pricer` (the config's prices in it) says whether the
 * config prices each one now (source `config`, at provider `provider`), and its config
 * entries for the same provider are the names a did-you-mean looks among.
 */
export function unpricedAdvice<T extends { provider: string; model: string }>(models: readonly T[], pricer: Pricer): UnpricedAdvice<T> {
  const advice: UnpricedAdvice<T> = { rest: [], lines: [] };
  for (const m of models) {
    if (pricer.describe(m.model, m.provider)?.source === 'config') {
      advice.lines.push(
        `${m.model} (${m.provider}) is priced by the config now: restart serve (it reads 'prices:' when it starts), then price the calls already recorded with ` +
          `tokometer prices reprice --since TIME --model ${m.model} (TIME at or before the first of them; add --dry-run to see the change first).`,
      );
      continue;
    }
    advice.rest.push(m);
    const entries = configEntries(pricer, m.provider);
    const near = oneEditAway(m.model, [...entries.keys()]);
    if (near !== undefined) {
      const entry = entries.get(near)!;
      advice.lines.push(`${m.model} (${m.provider}): did you mean the config's entry ${entry}? An entry prices only calls for its exact name: rename it to ${m.model} if that is the model.`);
    }
  }
  return advice;
}

/** The config's `prices:` entries that apply at `provider` (entries naming it or none), by lower-case name → name as written. */
function configEntries(pricer: Pricer, provider: string): Map<string, string> {
  let list;
  try {
    list = pricer.list(provider);
  } catch {
    return new Map();
  }
  return new Map(list.filter((d) => d.source === 'config').map((d) => [d.modelId.toLowerCase(), d.modelId]));
}
