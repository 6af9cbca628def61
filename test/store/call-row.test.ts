import { describe, expect, it } from 'vitest';
import { usageFromRow, type UsageColumns } from '../../src/store/call-row.js';

/**
 * usageFromRow, the one place a calls row's usage columns become a Usage (audit reads,
 * rowToCall, `prices reprice`). Store-level round trips are in the contract cases
 * (contract-prices.ts reprices a call with every column set, on every store).
 */

const ROW: Required<UsageColumns> = {
  input_tokens: 10_000,
  output_tokens: 3000,
  cached_input_tokens: 2000,
  cache_write_5m_tokens: 1000,
  cache_write_1h_tokens: 500,
  reasoning_tokens: 700,
  service_tier: 'flex',
  input_audio_tokens: 800,
  output_audio_tokens: 400,
  cache_audio_read_tokens: 300,
  output_image_tokens: 600,
  web_searches: 3,
  file_searches: 4,
  inference_geo: 'us',
  speed: 'fast',
};

const USAGE = {
  inputTokens: 10_000,
  outputTokens: 3000,
  cacheReadTokens: 2000,
  cacheWrite5mTokens: 1000,
  cacheWrite1hTokens: 500,
  reasoningTokens: 700,
  serviceTier: 'flex',
  inputAudioTokens: 800,
  outputAudioTokens: 400,
  cacheAudioReadTokens: 300,
  outputImageTokens: 600,
  webSearches: 3,
  fileSearches: 4,
  inferenceGeo: 'us',
  speed: 'fast',
};

describe('usageFromRow', () => {
  it('maps every usage column to its own field', () => {
    expect(usageFromRow(ROW)).toStrictEqual(USAGE);
  });

  it('gives the same numbers for counts handed over as text (int8 read without the PostgreSQL Db’s parser)', () => {
    const text = Object.fromEntries(Object.entries(ROW).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)])) as unknown as UsageColumns;
    expect(usageFromRow(text)).toStrictEqual(USAGE);
  });

  it('unknown usage (input_tokens NULL) is null; NULL counts are 0, NULL optional counts, tier, geo and speed are left out', () => {
    expect(usageFromRow({ ...ROW, input_tokens: null })).toBeNull();
    const sparse: UsageColumns = {
      input_tokens: 5, output_tokens: null, cached_input_tokens: null, cache_write_5m_tokens: null, cache_write_1h_tokens: null, reasoning_tokens: null,
      service_tier: null, input_audio_tokens: null, web_searches: null, file_searches: null, inference_geo: null, speed: null,
    };
    expect(usageFromRow(sparse)).toStrictEqual({ inputTokens: 5, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 });
  });
});
