import { describe, expect, it } from 'vitest';
import type { BudgetCounter } from '../../src/budget/counter.js';
import { Reservation } from '../../src/budget/reservation.js';
import type { Logger } from '../../src/proxy/log.js';
import { UncostedOnBudgetNotice } from '../../src/proxy/uncosted-on-budget.js';

/**
 * serve's warning for calls of unknown usage (usage_source `unknown`: an answer that did not
 * parse as the provider's JSON, an upload that could not be measured) said what happened but
 * not what to do. No command shows why each such call went unread (only its `error` column says), so
 * the warning names where to look: what the call's provider's base_url answers, the usual
 * cause being a gateway or another upstream answering in a shape of its own. It names that
 * provider as the config spells it, so the field to check is the user's own.
 */
describe("serve's unknown-usage warning on a hard budget", () => {
  it('ends with what to check, for the provider of the call, on one line', () => {
    const warnings: string[] = [];
    const log = { warn: (msg: string) => void warnings.push(msg), info: () => {}, error: () => {} } as unknown as Logger;
    const hard = new Reservation([{ name: 'team', soft: false } as unknown as BudgetCounter], [0], 0, 0, 'team', null);
    const call = { provider: 'acme', keyName: 'app', model: 'llama-3.3-70b', endpoint: 'chat.completions', usage: null, costNano: null, usageSource: 'unknown' as const };
    new UncostedOnBudgetNotice(log).settledUncosted(call, hard);
    expect(warnings).toEqual([
      'calls of llama-3.3-70b on key app have unknown usage (tokometer could not read or estimate it): they count $0 against its budget team, so no cap holds them ' +
        "(/metrics counts each: tokometer_usage_unknown_calls_total); check what providers.acme.base_url answers: usually a gateway or other upstream answering 200 with a body that is not acme's JSON",
    ]);
    expect(warnings[0]).not.toContain('\n');
  });
});
