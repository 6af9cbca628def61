import type { BudgetKind } from './types.js';

/** Where a budget's cap is set: a key's (stored by `keys create/set`, or declared in the config) or a `budgets:` entry's. */
export interface CapSetting {
  kind: BudgetKind;
  /** The key's name, or the `budgets:` entry's name (never a `per` instance's). */
  name: string;
  /** For a key budget: true when the config declares it (`keys.NAME.budget`, which overrides the stored one, so `keys set` would change nothing enforced). */
  fromConfig?: boolean;
}

/**
 * How the operator raises a cap, as a clause starting with "raise": a stored key budget with
 * `keys set`; a key budget the config declares, and a tag budget (every `per` instance shares
 * its entry's limit), in the config, which serve reads when it starts. `what` names the cap
 * in the stored-key wording (`it`, `the cap`); `to` follows what is raised (` to at least
 * $120.00`, or ''). The 429's message (errors.ts) and the audit's budget notices say it so.
 */
export function raiseCapHint(cap: CapSetting, options: { what?: string; to?: string } = {}): string {
  const to = options.to ?? '';
  if (cap.kind === 'tag') return `raise limit_usd of the budgets: entry '${cap.name}'${to} in the config and restart serve`;
  if (cap.fromConfig === true) return `raise keys.${cap.name}.budget.limit_usd${to} in the config and restart serve`;
  return `raise ${options.what ?? 'it'}${to} with \`tokometer keys set ${cap.name} --budget USD\``;
}
