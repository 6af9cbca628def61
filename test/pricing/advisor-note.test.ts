import { describe, expect, it } from 'vitest';
import { replaceAdvisorNote, withoutAdvisorNote } from '../../src/pricing/advisor-note.js';
import type { AdvisorUsage } from '../../src/providers/types.js';

/** What `prices reprice` does to a call's `error` column (pricing/advisor-note.ts). */

const advisor = (model: string, inputTokens: number, outputTokens: number): AdvisorUsage => ({ model, inputTokens, outputTokens, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 });
const NAMELESS = 'an advisor sub-inference named no model: its 100 input and 10 output tokens are not in the cost';

describe('the advisor note in a stored error', () => {
  it('drops an entry of a consultation that named no model, keeping the text before it', () => {
    expect(withoutAdvisorNote(`stream cut; ${NAMELESS}`, [advisor('', 100, 10)])).toBe('stream cut');
    expect(withoutAdvisorNote(NAMELESS, [advisor('', 100, 10)])).toBeNull();
  });

  it('leaves text that is not the note of these consultations: other counts, another model, or not at the end', () => {
    const legacy = "advisor model 'claude-opus-9' has no price: its 9000 input and 1500 output tokens are not in the cost";
    expect(withoutAdvisorNote(legacy, [advisor('claude-opus-9', 9001, 1500)])).toBe(legacy);
    expect(withoutAdvisorNote(legacy, [advisor('claude-opus-8', 9000, 1500)])).toBe(legacy);
    expect(withoutAdvisorNote(`${legacy}; upstream said more`, [advisor('claude-opus-9', 9000, 1500)])).toBe(`${legacy}; upstream said more`);
    expect(withoutAdvisorNote('x', undefined)).toBe('x');
  });

  it('puts the new note after the other text, or alone', () => {
    expect(replaceAdvisorNote(`stream cut; ${NAMELESS}`, [advisor('', 100, 10)], 'new note')).toBe('stream cut; new note');
    expect(replaceAdvisorNote(null, [advisor('', 100, 10)], 'new note')).toBe('new note');
    expect(replaceAdvisorNote(null, undefined, undefined)).toBeNull();
  });
});
