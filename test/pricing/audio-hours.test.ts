import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import type { PriceResult } from '../../src/pricing/types.js';
import { NOW, usage } from './support.js';

/*
 * Models the catalog prices per hour of audio (`audio_hours` / `input_audio_hours`, USD per
 * hour; genai-prices 0.1.8): whisper-1 $0.36 (= $0.006 a minute), Groq whisper-large-v3
 * $0.111, whisper-large-v3-turbo $0.04. OpenAI answers whisper-1's usage as
 * `{type: "duration", seconds}` (openai 6.49.0 resources/audio/transcriptions.d.ts
 * Transcription.Duration), read as Usage.audioSeconds. Hand-computed:
 * cost = seconds × USD per hour / 3600 × 1e9 nano-USD, rounded half up once.
 */

const pricer = createPricer();
const at = NOW;

function cost(r: PriceResult): number {
  if (!r.priced) throw new Error(`expected a price, got: ${r.reason}`);
  return r.costNano;
}

describe('price(): usage billed per second of audio', () => {
  it('whisper-1: 9 s × $0.36 / 3600 = $0.0009 = 900,000 nano-USD', () => {
    const r = pricer.price(usage({ audioSeconds: 9 }), { provider: 'openai', model: 'whisper-1', at });
    expect(r).toMatchObject({ priced: true, costNano: 900_000, modelId: 'whisper-1', providerId: 'openai' });
    expect(r.priced && r.breakdown).toMatchObject({ audioDuration: 900_000, uncachedInput: 0, output: 0 });
  });

  it('whisper-1: fractional seconds are priced to the nano-dollar (9.5 s = 950,000; 0.0004 s = 40 nano)', () => {
    expect(cost(pricer.price(usage({ audioSeconds: 9.5 }), { provider: 'openai', model: 'whisper-1', at }))).toBe(950_000);
    // 0.0004 × 0.36 / 3600 × 1e9 = 40.
    expect(cost(pricer.price(usage({ audioSeconds: 0.0004 }), { provider: 'openai', model: 'whisper-1', at }))).toBe(40);
  });

  it('Groq whisper-large-v3: 60 s × $0.111 / 3600 = 1,850,000; turbo 10 s × $0.04 / 3600 = 111,111.1 → 111,111', () => {
    expect(cost(pricer.price(usage({ audioSeconds: 60 }), { provider: 'groq', model: 'whisper-large-v3', at }))).toBe(1_850_000);
    expect(cost(pricer.price(usage({ audioSeconds: 10 }), { provider: 'groq', model: 'whisper-large-v3-turbo', at }))).toBe(111_111);
  });

  it('a whisper-1 usage that reports no duration is unpriced, not $0', () => {
    const r = pricer.price(usage({ inputTokens: 100 }), { provider: 'openai', model: 'whisper-1', at });
    expect(r).toMatchObject({ priced: false });
    expect(!r.priced && r.reason).toMatch(/per hour of audio/);
  });

  it('a duration usage for a model with no per-hour price stays unpriced, whatever its token price', () => {
    const configured = createPricer({ 'my-whisper': { input: 2.5, output: 10 } });
    const r = configured.price(usage({ audioSeconds: 42 }), { provider: 'openai', model: 'my-whisper', at });
    expect(r).toMatchObject({ priced: false });
    expect(!r.priced && r.reason).toMatch(/42 s/);
  });

  it('a prices: entry without audio_hour keeps the catalog per-hour price; one with it replaces it', () => {
    // Token prices set, per-hour price from the catalog: 42 s × $0.36 / 3600 = 4,200,000.
    expect(cost(createPricer({ 'whisper-1': { input: 2.5, output: 10 } }).price(usage({ audioSeconds: 42 }), { provider: 'openai', model: 'whisper-1', at }))).toBe(4_200_000);
    // audio_hour $0.72: 9 s × 0.72 / 3600 = 1,800,000.
    const prices = { 'whisper-1': { input: 0, audio_hour: 0.72 } };
    const own = createPricer(prices);
    expect(cost(own.price(usage({ audioSeconds: 9 }), { provider: 'openai', model: 'whisper-1', at }))).toBe(1_800_000);
    // On a custom provider the entry stands alone: 30 s × 0.72 / 3600 = 6,000,000.
    expect(cost(own.price(usage({ audioSeconds: 30 }), { provider: 'my-whisper-server', model: 'whisper-1', at }))).toBe(6_000_000);
  });

  it('a token-billed transcription model with the audio length beside its tokens is priced by its tokens alone', () => {
    // gpt-4o-transcribe: 1,000 input (900 audio at $6, 100 text at $2.50) + 200 output at $10 per 1M
    // = 5,400,000 + 250,000 + 2,000,000 = 7,650,000, whatever the seconds.
    const u = usage({ inputTokens: 1000, inputAudioTokens: 900, outputTokens: 200, audioSeconds: 90 });
    expect(cost(pricer.price(u, { provider: 'openai', model: 'gpt-4o-transcribe', at }))).toBe(7_650_000);
  });

  it('describe() shows the per-hour price', () => {
    expect(pricer.describe('whisper-1', 'openai', at)?.rates).toMatchObject({ audioHour: 0.36, input: null });
    expect(pricer.describe('whisper-1', 'openai', at)?.unmetered).toEqual([]);
  });
});
