import OpenAI from 'openai';
import { expect } from 'vitest';

/** Each error is the openai SDK's RateLimitError for a spent cap: code `budget_exceeded`, `x-should-retry: false`. */
export function expectSpentCapRefusals(errors: readonly unknown[]): void {
  for (const error of errors) {
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const e = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect((e.error as { code?: string }).code).toBe('budget_exceeded');
    expect(e.headers?.get('x-should-retry')).toBe('false');
  }
}
