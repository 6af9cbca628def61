import { beforeAll, describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate, type GateRequest } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { FakeUpstreamOptions } from '../support/fake-upstream.js';
import { gateRequest, keyBudget, now } from './helpers.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, chatReply, keyBudget as proxyKeyBudget, type BudgetProxy } from './support.js';

/**
 * A busy refusal says why its estimate is what it is when the request set no output limit
 * (found by a new-user trial: a $5 key calling gpt-4.1 without max_tokens got "this call
 * (estimated $8.00) found no room within 0.8 s", with nothing saying that the model's whole
 * output allowance is held, or that setting max_tokens would hold less): how many output
 * tokens are held and why, in the provider's own parameter name, and, when the estimate is
 * more than the budget has left, that the call runs only once nothing else is in flight.
 */
const AT = Date.parse('2026-11-20T12:00:00Z');
const prices = new EstimatePrices(createPricer());
const WINDOW = prices.get('openai', 'gpt-4.1', AT).contextWindowTokens!;
const count = (n: number) => n.toLocaleString('en-US');

const gate = (limitUsd: number) => new LedgerGate(new BudgetLedger({ clock: () => AT, timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(limitUsd)]]) }), prices, { admissionWaitMs: 0 });
const noMax = (extra: Partial<GateRequest> = {}): GateRequest => gateRequest({ model: 'gpt-4.1', maxOutputTokens: null, outputLimitParam: 'max_completion_tokens', at: AT, ...extra });
const busyMessage = (g: LedgerGate, req: GateRequest): string => {
  const r = now(g.reserve(req));
  if (r.ok || r.aborted) throw new Error('expected a refusal');
  expect(r.error.kind).toBe('budget_busy');
  return r.error.message;
};

describe('a busy refusal explains its estimate', () => {
  it('no output limit, no history: the context window is held, more than the budget has left', () => {
    const g = gate(5);
    expect(now(g.reserve(noMax())).ok).toBe(true);
    const message = busyMessage(g, noMax());
    expect(message).toMatch(/; this call \(estimated \$[\d,.]+, more than the \$5\.00 left, so it runs only once no other call is in flight; /);
    expect(message).toContain(`; no max_completion_tokens: ${count(WINDOW)} output tokens held (the model's context window); set max_completion_tokens to hold less) does not fit beside them`);
  });

  it('no output limit, with history: the most this key had from the model is held', () => {
    const g = gate(0.05);
    const first = now(g.reserve(noMax()));
    if (!first.ok) throw new Error('unreachable');
    g.settle(first.reservation, 10_000_000, 3000);
    expect(now(g.reserve(noMax())).ok).toBe(true);
    const message = busyMessage(g, noMax());
    expect(message).toContain('; no max_completion_tokens: 3,000 output tokens held (the most this key had from gpt-4.1 in 7 days); set max_completion_tokens to hold less)');
    expect(message).not.toContain('more than the');
  });

  it('each of n answers is held: n × the tokens, said once', () => {
    const g = gate(5);
    expect(now(g.reserve(noMax())).ok).toBe(true);
    expect(busyMessage(g, noMax({ outputChoices: 2, outputLimitParam: 'max_tokens' }))).toContain(`no max_tokens: 2 × ${count(WINDOW)} output tokens held`);
  });

  it('a request whose API reads no output limit (no outputLimitParam: embeddings, speech) gets no such note', () => {
    const g = gate(5);
    expect(now(g.reserve(noMax())).ok).toBe(true);
    expect(busyMessage(g, noMax({ outputLimitParam: undefined }))).not.toMatch(/no max|output tokens held|to hold less/);
  });

  it('a request with an output limit gets no such note', () => {
    const g = gate(0.0003);
    expect(now(g.reserve(gateRequest({ at: AT }))).ok).toBe(true);
    const message = busyMessage(g, gateRequest({ at: AT }));
    expect(message).toMatch(/this call \(estimated \$[\d.]+\) does not fit beside them/);
  });
});

describe('through the proxy, in the provider parameter name', () => {
  // Each answer waits a little, so that the first call is still in flight when the second comes.
  const slow: FakeUpstreamOptions['reply'] = (req) => {
    const reply = chatReply(req);
    return reply === undefined ? undefined : { ...reply, delayMs: 150 };
  };
  const suite = proxySuite({ reply: slow });
  let p: BudgetProxy;
  let secret: string;
  beforeAll(async () => {
    p = await suite.start({ yaml: 'budget_admission_wait_ms: 0\n' });
    secret = await addKey(p.proxy, 'small', { budget: proxyKeyBudget(5) });
  });

  it('an OpenAI chat call without a limit is told about max_completion_tokens', async () => {
    const send = () =>
      fetch(`${p.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hello' }] }),
      });
    const first = send();
    await new Promise((r) => setTimeout(r, 50));
    const second = await send();
    expect(second.status).toBe(429);
    const body = (await second.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('budget_busy');
    expect(body.error.message).toContain(`no max_completion_tokens: ${count(WINDOW)} output tokens held (the model's context window); set max_completion_tokens to hold less`);
    expect((await first).status).toBe(200);
  });
});
