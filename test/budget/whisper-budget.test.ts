import { beforeAll, describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate, type GateRequest } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { waitFor } from '../support/proxy-harness.js';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { pcmWav } from '../support/wav.js';
import { gateRequest, keyBudget } from './helpers.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, keyBudget as proxyKeyBudget, postForm, type BudgetProxy } from './support.js';

/**
 * whisper-1 is billed per second of audio at $0.36 an hour (genai-prices 0.1.8 `audio_hours`;
 * $0.0001 a second = 100,000 nano-USD). Its answer reports the seconds
 * (`usage: {type: "duration", seconds}`, openai 6.49.0 transcriptions.d.ts Transcription.Duration).
 */

describe('the reservation of a whisper-1 transcription', () => {
  const at = Date.parse('2026-11-20T12:00:00Z');
  const gate = () => new LedgerGate(new BudgetLedger({ clock: () => at, timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(1)]]) }), new EstimatePrices(createPricer()));
  // The upload as the proxy describes it: 30 s of audio (300 audio tokens at 10 a second, the
  // contextTokens the gate already counts), 13 bytes of text fields, no output limit.
  const upload = (extra: Partial<GateRequest> = {}) => gateRequest({ model: 'whisper-1', metered: true, promptBytes: 13, maxOutputTokens: null, contextTokens: 300, audioSeconds: 30, at, ...extra } as Partial<GateRequest>);

  // 30 s × 100,000 = 3,000,000 nano-USD; whisper-1 has no token price, so its tokens add 0.
  // Before: whisper-1 had no price the estimate read, so it was held at the fallback prices
  // (4 + 300 tokens × 15,000,000 pico + 1,024 × 75,000,000 pico = 81,360,000 nano).
  it('holds the audio at $0.0001 a second: 30 s = 3,000,000 nano-USD', () => {
    expect(gate().estimate(upload())).toBe(3_000_000);
  });

  it('of a fractional length rounds up to the nano-dollar: 2.5 s = 250,000; 0.00001 s = 1', () => {
    expect(gate().estimate(upload({ audioSeconds: 2.5, contextTokens: 25 } as Partial<GateRequest>))).toBe(250_000);
    expect(gate().estimate(upload({ audioSeconds: 0.00001, contextTokens: 1 } as Partial<GateRequest>))).toBe(1);
  });
});

function whisperReply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/audio/transcriptions') return undefined;
  return { body: JSON.stringify({ text: 'Hello.', usage: { type: 'duration', seconds: 9 } }) };
}

function transcribe(baseUrl: string, secret: string): Promise<number> {
  return postForm(`${baseUrl}/audio/transcriptions`, secret, [
    ['file', new File([pcmWav(9)], 'speech.wav', { type: 'audio/wav' })],
    ['model', 'whisper-1'],
  ]);
}

describe('a whisper-1 transcription against a key budget', () => {
  const suite = proxySuite({ reply: whisperReply });
  let p: BudgetProxy;
  beforeAll(async () => {
    p = await suite.start();
  });

  // 9 s × 100,000 = 900,000 nano-USD settled against a key with $0.0005 (500,000) to spend: the
  // cap is then spent, and the next call is refused. Before: recorded unpriced, settled at $0,
  // so the key could go on transcribing.
  it('settles 900,000 nano-USD, and a key with $0.0005 to spend is refused the next one (429)', async () => {
    const secret = await addKey(p.proxy, 'whisperer', { budget: proxyKeyBudget(0.0005) });
    expect(await transcribe(p.baseUrl, secret)).toBe(200);
    type Row = { cost_nano: number | null; audio_seconds: number | null; usage_source: string };
    let row: Row | undefined;
    await waitFor(() => (row = p.driver.prepare("SELECT * FROM calls WHERE key_name = 'whisperer'").get<Row>()) !== undefined, 5000, 'the call row');
    expect.soft(row).toMatchObject({ usage_source: 'reported', cost_nano: 900_000, audio_seconds: 9 });
    expect(await transcribe(p.baseUrl, secret)).toBe(429);
  });
});
