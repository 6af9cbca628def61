import { describe, expect, it } from 'vitest';
import type { AuditCall } from '../../src/audit/calls.js';
import { otherModelCheck } from '../../src/audit/served-model.js';
import { pricer, UNTIL } from './helpers.js';

/** The two fields otherModelCheck reads, on an otherwise irrelevant call. */
const call = (provider: string, requested: string, served: string) => ({ provider, model: served, modelRequestedIfOther: requested }) as unknown as AuditCall;

describe('otherModelCheck: was the call answered by the model its request named?', () => {
  const other = otherModelCheck(pricer, UNTIL);

  it('takes a dated snapshot of the requested name for the same model', () => {
    expect(other(call('openai', 'gpt-4o', 'gpt-4o-2024-08-06'))).toBeNull();
    expect(other(call('openai', 'gpt-4', 'gpt-4-0613'))).toBeNull();
    expect(other(call('anthropic', 'claude-sonnet-4-5', 'claude-sonnet-4-5-20250929'))).toBeNull();
  });

  it('takes a longer name that is another model for another model, though it starts with the requested name', () => {
    // gpt-4o-mini is not a snapshot of gpt-4o (it costs 1/16 of it); claude-opus-4-8 is not a snapshot of claude-opus-4.
    expect(other(call('openai', 'gpt-4o', 'gpt-4o-mini'))).toBe('gpt-4o');
    expect(other(call('openai', 'gpt-4o', 'gpt-4o-mini-2024-07-18'))).toBe('gpt-4o');
    expect(other(call('anthropic', 'claude-opus-4', 'claude-opus-4-8'))).toBe('claude-opus-4');
  });

  it('takes a server-side fallback for another model', () => {
    expect(other(call('anthropic', 'claude-fable-5', 'claude-opus-4-8'))).toBe('claude-fable-5');
  });
});
