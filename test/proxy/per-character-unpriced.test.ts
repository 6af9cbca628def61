import { describe, expect, it } from 'vitest';
import { unpriced } from '../../src/audit/detectors/unpriced.js';
import type { BudgetCounter } from '../../src/budget/counter.js';
import { Reservation } from '../../src/budget/reservation.js';
import { notTokenBilledClause } from '../../src/domain/billing-units.js';
import { emptyUsage } from '../../src/providers/types.js';
import type { Logger } from '../../src/proxy/log.js';
import { UncostedOnBudgetNotice } from '../../src/proxy/uncosted-on-budget.js';
import { findings, many } from '../audit/helpers.js';

/**
 * OpenAI's tts-1 and tts-1-hd are billed per input character ($15 and $30 per 1M), a unit no
 * price tokometer reads can express: their calls are recorded without tokens and unpriced
 * (providers/openai-speech.ts), so telling a user to add a price under `prices:` sends them
 * after something that cannot count the calls, as for models billed per image.
 */
describe('what tokometer says of unpriced speech calls billed per character', () => {
  it("serve's hard-budget warning names the unit and gives no price advice", () => {
    const warnings: string[] = [];
    const log = { warn: (msg: string) => void warnings.push(msg), info: () => {}, error: () => {} } as unknown as Logger;
    const hard = new Reservation([{ name: 'capped', soft: false } as unknown as BudgetCounter], [0], 0, 0, 'capped', null);
    const call = { provider: 'openai', keyName: 'capped', model: 'tts-1', endpoint: 'audio.speech', usage: emptyUsage(), costNano: null, usageSource: 'reported' as const };
    new UncostedOnBudgetNotice(log).settledUncosted(call, hard);
    // Before: '…; add a price under prices: (docs/prices.md)'.
    expect(warnings).toEqual(['calls of tts-1 on key capped have no price: they count $0 against its budget capped; tts-1 is billed per input character, which tokometer cannot price (docs/prices.md, "Text-to-speech")']);
  });

  // The clause `report`'s footer and `prices unpriced` add after "add their prices under prices:". Before: ''.
  it('the unpriced lists add that tts-1 and tts-1-hd-1106 are billed per input character, not an unpriced chat model', () => {
    expect(notTokenBilledClause(['tts-1', 'gpt-9-turbo', 'tts-1-hd-1106', 'tts-1'])).toBe(
      '; tts-1, tts-1-hd-1106 are billed per input character, which tokometer cannot price (docs/prices.md, "Text-to-speech")',
    );
    expect(notTokenBilledClause(['tts-1-hd'])).toBe('; tts-1-hd is billed per input character, which tokometer cannot price (docs/prices.md, "Text-to-speech")');
  });

  // Before: 'tts-1 (openai): 3 calls with no price', with a prices: snippet of token prices.
  it('the audit gives no token-price snippet for speech calls recorded without tokens', async () => {
    const specs = many(3, () => ({ model: 'tts-1', endpoint: 'audio.speech', input: 0, output: 0, cost: null }));
    const [f, ...rest] = await findings(specs, unpriced);
    expect(rest).toEqual([]);
    expect(f!.title).toBe('tts-1 (openai): 3 calls billed per character, with no price — not in any total');
    expect(f!.snippet).toBeUndefined();
  });
});
