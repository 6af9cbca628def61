import { describe, expect, it } from 'vitest';
import { contextWindowOf, outputFromBytes } from '../../src/proxy/answer-bytes.js';

/** The output of an answer whose usage was never read, counted from its bytes (src/proxy/answer-bytes.ts). */
describe('outputFromBytes', () => {
  const open = { allowance: 1024, limited: false, windowTokens: undefined, choices: 1 };

  it('counts the bytes at 4 per token when they hold more than the allowance', () => {
    expect(outputFromBytes(40_001, open)).toEqual({ tokens: 10_001, allowance: 1024, bytes: 40_001, byBytes: 10_001, basis: 'bytes', choices: 1 });
  });

  it('keeps the allowance when the bytes hold no more', () => {
    expect(outputFromBytes(4096, open)).toMatchObject({ tokens: 1024, basis: 'allowance', byBytes: 1024 });
    expect(outputFromBytes(0, open)).toMatchObject({ tokens: 1024, basis: 'allowance', byBytes: 0 });
  });

  it("caps the bytes at the model's context window for each answer", () => {
    expect(outputFromBytes(4_000_000, { ...open, windowTokens: 128_000 })).toMatchObject({ tokens: 128_000, basis: 'window', byBytes: 1_000_000 });
    expect(outputFromBytes(4_000_000, { ...open, allowance: 2048, windowTokens: 128_000, choices: 3 })).toMatchObject({ tokens: 384_000, basis: 'window' });
    // Exactly the window: the bytes, uncapped.
    expect(outputFromBytes(512_000, { ...open, windowTokens: 128_000 })).toMatchObject({ tokens: 128_000, basis: 'bytes' });
  });

  it('never counts past a max_tokens the request set (times its answers), whatever the bytes', () => {
    expect(outputFromBytes(70_000_000, { allowance: 32_000, limited: true, windowTokens: 128_000, choices: 2 })).toMatchObject({ tokens: 32_000, basis: 'allowance' });
  });
});

describe('contextWindowOf', () => {
  it("gives the pricer's window, or undefined when it cannot describe models, names none, or throws", () => {
    const window = (contextWindow?: number) => ({ describe: () => (contextWindow === undefined ? null : ({ contextWindow } as never)) });
    expect(contextWindowOf(window(200_000), 'claude-sonnet-4-5', 'anthropic', 0)).toBe(200_000);
    expect(contextWindowOf(window(), 'my-model', 'openai', 0)).toBeUndefined();
    expect(contextWindowOf({}, 'gpt-4o-mini', 'openai', 0)).toBeUndefined();
    expect(contextWindowOf({ describe: () => { throw new Error('catalog broken'); } }, 'gpt-4o-mini', 'openai', 0)).toBeUndefined();
  });
});
