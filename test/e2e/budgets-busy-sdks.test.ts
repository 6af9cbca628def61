import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { Mistral } from '@mistralai/mistralai';
import { SDKError } from '@mistralai/mistralai/models/errors';
import { CohereClientV2, CohereError } from 'cohere-ai';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { budgetBusyError } from '../../src/budget/errors.js';
import type { BlockInfo } from '../../src/budget/types.js';
import type { BudgetGate } from '../../src/proxy/deps.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';

/** A budget with room, all of it held by calls in flight: what a wait that ran out reports. */
const BUSY: Omit<BlockInfo, 'at'> = {
  name: 'team',
  kind: 'key',
  per: null,
  tagValue: null,
  limitNano: 1_000_000,
  spentNano: 400_000,
  reservedNano: 550_000,
  inFlight: 2,
  waiting: 3,
  estimateNano: 100_000,
  period: 'day',
  resetAt: null,
  reason: 'reserved',
};

/** Answers every call as the ledger does when a wait for room runs out; counts the attempts. */
function busyGate(): BudgetGate<undefined> & { attempts: number } {
  const gate = {
    attempts: 0,
    reserve: (req: { at: number }) => {
      gate.attempts++;
      return { ok: false as const, error: budgetBusyError({ ...BUSY, at: req.at }, 30_000) };
    },
    settle: () => {},
  };
  return gate;
}

const noUpstream = { reply: () => undefined };

/**
 * budget_busy in each provider's error shape: every official SDK raises its rate-limit
 * error (Cohere: 402, as for every budget refusal, SPEC §11), and the SDKs that honour
 * x-should-retry retry it on their own.
 */
describe('budget_busy through the official SDKs', () => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.close();
    h = null;
  });

  it('openai: RateLimitError with code budget_busy, retried by the SDK (x-should-retry: true)', async () => {
    const gate = busyGate();
    h = await startHarness({ upstream: noUpstream, overrides: { budgets: () => gate } });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl(), maxRetries: 1 });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('budget_busy');
    expect(gate.attempts).toBe(2);
  });

  it('anthropic: RateLimitError (rate_limit_error), retried by the SDK', async () => {
    const gate = busyGate();
    h = await startHarness({ provider: 'anthropic', upstream: { ...noUpstream, authHeader: 'x-api-key' }, overrides: { budgets: () => gate } });
    const client = new Anthropic({ apiKey: h.secret, baseURL: h.baseUrl('anthropic'), maxRetries: 1 });
    const error = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const e = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(e.headers?.get('x-should-retry')).toBe('true');
    expect((e.error as { error: { type: string; budget: { name: string; waiting: number } } }).error).toMatchObject({ type: 'rate_limit_error', budget: { name: 'team', waiting: 3 } });
    expect(e.message).toMatch(/Budget 'team' busy/);
    expect(gate.attempts).toBe(2);
  });

  it('gemini: ApiError 429 RESOURCE_EXHAUSTED', async () => {
    h = await startHarness({ provider: 'gemini', upstream: { ...noUpstream, authHeader: 'x-goog-api-key' }, overrides: { budgets: busyGate } });
    const ai = new GoogleGenAI({ apiKey: h.secret, vertexai: false, httpOptions: { baseUrl: h.baseUrl('gemini') } });
    const error = await ai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(429);
    const body = JSON.parse((error as ApiError).message) as { error: { code: number; status: string; message: string; budget: { name: string } } };
    expect(body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED', budget: { name: 'team' } });
    expect(body.error.message).toMatch(/Budget 'team' busy/);
  });

  it('mistral: SDKError 429 with code budget_busy', async () => {
    h = await startHarness({ provider: 'mistral', upstream: noUpstream, overrides: { budgets: busyGate } });
    const client = new Mistral({ apiKey: h.secret, serverURL: h.baseUrl('mistral'), retryConfig: { strategy: 'none' } });
    const error = await client.chat.complete({ model: 'mistral-large-latest', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SDKError);
    const e = error as SDKError;
    expect(e.statusCode).toBe(429);
    expect(e.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(e.body)).toMatchObject({ object: 'error', type: 'budget_busy', code: 'budget_busy', budget: { name: 'team' } });
  });

  it('cohere: CohereError 402, as for every budget refusal', async () => {
    h = await startHarness({ provider: 'cohere', upstream: noUpstream, overrides: { budgets: busyGate } });
    const client = new CohereClientV2({ token: h.secret, environment: h.baseUrl('cohere'), maxRetries: 0 });
    const error = await client.chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CohereError);
    expect((error as CohereError).statusCode).toBe(402);
    expect((error as CohereError).body).toMatchObject({ budget: { name: 'team' } });
  });
});
