import { describe, expect, it } from 'vitest';
import { replacePriceNotes, withoutPriceNotes } from '../../src/pricing/price-notes.js';
import type { AdvisorUsage } from '../../src/providers/types.js';

/** What `prices reprice` does to a call's `error` column (pricing/price-notes.ts). */

const advisor = (model: string, inputTokens: number, outputTokens: number): AdvisorUsage => ({ model, inputTokens, outputTokens, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 });
const NAMELESS = 'an advisor sub-inference named no model: its 100 input and 10 output tokens are not in the cost';

describe('the advisor note in a stored error', () => {
  it('drops an entry of a consultation that named no model, keeping the text before it', () => {
    expect(withoutPriceNotes(`stream cut; ${NAMELESS}`, [advisor('', 100, 10)])).toBe('stream cut');
    expect(withoutPriceNotes(NAMELESS, [advisor('', 100, 10)])).toBeNull();
  });

  it('leaves text that is not the note of these consultations: other counts, another model, or not at the end', () => {
    const legacy = "advisor model 'claude-opus-9' has no price: its 9000 input and 1500 output tokens are not in the cost";
    expect(withoutPriceNotes(legacy, [advisor('claude-opus-9', 9001, 1500)])).toBe(legacy);
    expect(withoutPriceNotes(legacy, [advisor('claude-opus-8', 9000, 1500)])).toBe(legacy);
    expect(withoutPriceNotes(`${legacy}; upstream said more`, [advisor('claude-opus-9', 9000, 1500)])).toBe(`${legacy}; upstream said more`);
    expect(withoutPriceNotes('x', undefined)).toBe('x');
  });

  it('puts the new note after the other text, or alone', () => {
    expect(replacePriceNotes(`stream cut; ${NAMELESS}`, [advisor('', 100, 10)], 'new note')).toBe('stream cut; new note');
    expect(replacePriceNotes(null, [advisor('', 100, 10)], 'new note')).toBe('new note');
    expect(replacePriceNotes(null, undefined, undefined)).toBeNull();
  });

  it('an image of the image generation tool has a note of its own wording, which a reprice drops once the image model is priced', () => {
    const image = { ...advisor('gpt-image-9', 0, 7024), outputImageTokens: 7024 };
    const note = "image model 'gpt-image-9' is unpriced (no known price): its 7024 image output tokens are not in the cost";
    expect(withoutPriceNotes(`stream cut; ${note}`, [advisor('claude-opus-4-6', 10, 1), image])).toBe('stream cut');
    expect(replacePriceNotes(note, [image], undefined)).toBeNull();
    // An advisor's wording is not an image's.
    expect(withoutPriceNotes(note, [advisor('gpt-image-9', 0, 7024)])).toBe(note);
  });

  it('drops every service-tier note, whichever tier and model, as whole parts only, and keeps the rest in order', () => {
    const nano = 'priority tier price unknown for gpt-5-nano; priced at the standard rate (a lower bound)';
    const sol = 'ultrafast tier price unknown for gpt-5.6-sol; priced at the standard rate (a lower bound)';
    expect(withoutPriceNotes(`${nano}; ${nano}`, undefined)).toBeNull();
    expect(withoutPriceNotes(`stream cut; ${sol}; ${nano}`, undefined)).toBe('stream cut');
    expect(withoutPriceNotes(`${nano}; stream cut`, undefined)).toBe('stream cut');
    // Not a whole part: left as it is.
    expect(withoutPriceNotes(`upstream: ${nano}`, undefined)).toBe(`upstream: ${nano}`);
    expect(withoutPriceNotes(`${nano} and more`, undefined)).toBe(`${nano} and more`);
  });

  it('a tier note followed by advisor entries (the pricer\'s order) is replaced by the same text: nothing to rewrite', () => {
    const nano = 'priority tier price unknown for gpt-5-nano; priced at the standard rate (a lower bound)';
    const stored = `stream cut; ${nano}; ${NAMELESS}`;
    expect(replacePriceNotes(stored, [advisor('', 100, 10)], `${nano}; ${NAMELESS}`)).toBe(stored);
    expect(replacePriceNotes(stored, [advisor('', 100, 10)], undefined)).toBe('stream cut');
  });
});
