import { hardBudgetNames } from '../budget/hard-budget-names.js';
import { NOT_TOKEN_BILLED, untokenedUnit } from '../domain/billing-units.js';
import type { CallRecord } from '../store/types.js';
import { whyNoCost, type NoCostReason } from '../store/unpriced.js';
import type { Logger } from './log.js';

/**
 * Most (reason, key, model) triples remembered as warned about (a client inventing model names
 * cannot grow memory); past it the memory starts afresh, so a triple may be warned about again,
 * but a real unpriced model is never silenced by invented ones.
 */
const MAX_WARNED = 1000;

/**
 * What the warning says of the calls after "calls of MODEL on key KEY", and after the budgets
 * it names (`then`, given the call's provider as configured), by reason; each ends with what
 * to do. No command shows why each unknown-usage call went unread (only its `error` column says), so
 * that advice is where to look: the usual cause is the upstream at the provider's base_url (a
 * gateway, another API) answering 200 with a body that is not that provider's JSON.
 */
const SAYS: Readonly<Record<NoCostReason, { what: string; then: (provider: string) => string }>> = {
  unpriced: { what: 'have no price', then: () => '; add a price under prices: (docs/prices.md)' },
  usage_unknown: {
    what: 'have unknown usage (tokometer could not read or estimate it)',
    then: (provider) =>
      ', so no cap holds them (/metrics counts each: tokometer_usage_unknown_calls_total); ' +
      `check what providers.${provider}.base_url answers: usually a gateway or other upstream answering 200 with a body that is not ${provider}'s JSON`,
  },
};

/**
 * Says when a hard budget does not limit calls: a call recorded with cost null settles $0
 * against every budget it counts against (docs/prices.md), whether its usage is known and no
 * price applied (unpriced: every call of that model passes the cap) or its usage is unknown
 * (usage_source unknown: an answer that did not parse, an upload that could not be measured).
 * The admission rule and the settle are unchanged; serve logs one warning per reason,
 * metering key and model per process, the first time such a call settles against a hard
 * budget. Runs only for calls with cost null.
 */
export class UncostedOnBudgetNotice {
  /** `reason\u0000key\u0000model` of the triples already warned about. */
  private readonly warned = new Set<string>();

  constructor(private readonly log: Logger) {}

  /** `call` (model null: it named none) was recorded with cost null and settled on `reservation` (the gate's, opaque). */
  settledUncosted(call: Pick<CallRecord, 'provider' | 'keyName' | 'model' | 'endpoint' | 'usage' | 'costNano' | 'usageSource'>, reservation: unknown): void {
    const { keyName, provider } = call;
    const why = whyNoCost(call);
    if (keyName === null || why === null) return;
    const shownModel = call.model ?? '(no model)';
    const triple = `${why}\u0000${keyName}\u0000${shownModel}`;
    if (this.warned.has(triple)) return;
    const budgets = hardBudgetNames(reservation);
    // No hard budget holds the call (none, or soft only): nothing is escaped. Not remembered: the key may get one later.
    if (budgets.length === 0) return;
    if (this.warned.size >= MAX_WARNED) this.warned.clear();
    this.warned.add(triple);
    const against = budgets.length === 1 ? `its budget ${budgets[0]}` : `its budgets ${budgets.join(', ')}`;
    const says = SAYS[why];
    this.log.warn(`calls of ${shownModel} on key ${keyName} ${says.what}: they count $0 against ${against}${why === 'unpriced' ? unpricedAdvice(call, shownModel) : says.then(provider)}`, {
      key: keyName,
      provider,
      model: shownModel,
      budget: budgets.join(', '),
    });
  }
}

/**
 * What the warning advises for an unpriced call: a price under `prices:`, unless the call was
 * recorded without tokens because its model is billed by a unit no token price counts (per
 * image, per input character, per page: domain/billing-units.ts untokenedUnit), which it names.
 */
function unpricedAdvice(call: Pick<CallRecord, 'endpoint' | 'usage'>, shownModel: string): string {
  const unit = untokenedUnit(call.endpoint, call.usage?.inputTokens ?? 0, call.usage?.outputTokens ?? 0);
  return unit === null ? SAYS.unpriced.then('') : `; ${shownModel} is ${NOT_TOKEN_BILLED[unit]}`;
}
