import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sseFrames } from '../support/fake-upstream.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer, sseAnswer, type Fixture } from './fakes.js';

/**
 * Nothing accepted is ever lost: a call that reached the provider is recorded even when
 * pricing it or settling its budget reservation throws (call-recorder.ts), the reservation
 * is released, and the client still gets its whole answer — a stream is not cut by a
 * throw in the relay's `finally`, a JSON answer's metering immediate does not lose it.
 */

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const FRAMES = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
/** The usage-only chunk the proxy asked for (include_usage): stripped from what the client gets. */
const USAGE_FRAME = FRAMES.find((f) => f.includes('"usage":{')) as string;
const ASK = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] };
const STREAM = { ...ASK, stream: true };
/** FAKE_PRICER's cost of the fixtures' usage (1250 input, 9 output tokens). */
const COST = 1250 * 10 + 9 * 20;

/** Makes the fixture's pricer throw, as a pricing bug on some usage shape would. */
function pricerThrows(f: Fixture): void {
  f.pricer.price = () => {
    throw new RangeError('price table corrupt');
  };
}

/** A call with a JSON answer, and one with a stream: what the client got, once the call is recorded. */
const answers = {
  json: { make: () => fixture(() => jsonAnswer(CHAT)), ask: ASK, expected: CHAT, streamed: false },
  stream: { make: () => fixture((req) => sseAnswer(req, FRAMES)), ask: STREAM, expected: FRAMES.filter((f) => f !== USAGE_FRAME).join(''), streamed: true },
};

async function call(f: Fixture, body: object): Promise<string> {
  const text = await bodyText(await f.handle(chatCall(body)));
  // A JSON answer is metered in a setImmediate after it is handed over.
  await afterImmediates();
  return text;
}

describe('a throw while recording a call loses nothing', () => {
  for (const [kind, a] of Object.entries(answers)) {
    it(`a pricer that throws (${kind}): the client gets the whole answer, the call is recorded unpriced with the failure noted, the reservation is released`, async () => {
      const f = a.make();
      pricerThrows(f);
      expect(await call(f, a.ask)).toBe(a.expected);
      expect(f.records).toHaveLength(1);
      expect(f.records[0]).toMatchObject({
        outcome: 'ok',
        status: 200,
        streamed: a.streamed,
        usageSource: 'reported',
        usage: { inputTokens: 1250, outputTokens: 9 },
        costNano: null,
        priceSource: null,
        error: 'pricing failed: price table corrupt',
      });
      expect(f.gate.settled).toEqual([['r1', 0]]);
      expect(f.errors).toEqual([{ msg: 'pricing a call failed; recorded unpriced', fields: { provider: 'openai', model: 'gpt-4o-mini-2024-07-18', reason: 'price table corrupt' } }]);
    });

    it(`a budget settle that throws (${kind}): the client gets the whole answer, the call is recorded with its cost`, async () => {
      const f = a.make();
      f.gate.settle = () => {
        throw new Error('ledger bug');
      };
      expect(await call(f, a.ask)).toBe(a.expected);
      expect(f.records).toHaveLength(1);
      expect(f.records[0]).toMatchObject({ outcome: 'ok', status: 200, streamed: a.streamed, usageSource: 'reported', costNano: COST, error: null });
      expect(f.errors).toEqual([{ msg: 'settling a budget reservation failed', fields: { provider: 'openai', reason: 'ledger bug' } }]);
    });
  }

  it('a settle that throws on the output tokens (the output history) is tried again without them: the reservation is released at the cost', async () => {
    const f = answers.stream.make();
    const settle = f.gate.settle.bind(f.gate);
    f.gate.settle = (reservation: string, cost: number, outputTokens?: number | null) => {
      if (outputTokens != null) throw new Error('output history bug');
      settle(reservation, cost);
    };
    expect(await call(f, STREAM)).toBe(answers.stream.expected);
    expect(f.gate.settled).toEqual([['r1', COST]]);
    expect(f.records[0]).toMatchObject({ outcome: 'ok', costNano: COST });
  });

  it('a stream the provider broke, with a pricer that throws: the client gets the error frame, the call is recorded upstream_failed with both failures noted', async () => {
    const f = fixture((req) => sseAnswer(req, FRAMES, { failAfter: 2 }));
    pricerThrows(f);
    const text = await call(f, STREAM);
    expect(text.startsWith(FRAMES.slice(0, 2).join(''))).toBe(true);
    expect(text).toMatch(/"error":\{"message":"The provider's stream failed/);
    expect(f.records).toHaveLength(1);
    expect(f.records[0]).toMatchObject({ outcome: 'upstream_failed', usageSource: 'estimated', costNano: null, error: 'upstream body failed: other side closed; pricing failed: price table corrupt' });
    expect(f.gate.settled).toEqual([['r1', 0]]);
  });
});
