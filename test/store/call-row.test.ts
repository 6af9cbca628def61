import { describe, expect, it } from 'vitest';
import { callToParams, CALL_COLUMNS } from '../../src/store/call-row.js';
import { usageFromRow, type UsageColumns } from '../../src/store/call-row-reader.js';
import { makeCall } from './fixtures.js';

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
  input_image_tokens: 1_000,
  output_image_tokens: 600,
  web_searches: 3,
  file_searches: 4,
  inference_geo: 'us',
  speed: 'fast',
  advisor_usage: '[{"model":"claude-opus-4-6","inputTokens":9000,"outputTokens":1500,"cacheReadTokens":1000,"cacheWrite5mTokens":200,"cacheWrite1hTokens":300}]',
  audio_seconds: 9.25,
  document_pages: 12,
  annotated_pages: 5,
  compaction_usage: '[{"inputTokens":4000,"outputTokens":500,"cacheReadTokens":1000,"cacheWrite5mTokens":0,"cacheWrite1hTokens":0}]',
  web_search_preview: 1,
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
  inputImageTokens: 1_000,
  outputImageTokens: 600,
  webSearches: 3,
  fileSearches: 4,
  inferenceGeo: 'us',
  speed: 'fast',
  advisors: [{ model: 'claude-opus-4-6', inputTokens: 9000, outputTokens: 1500, cacheReadTokens: 1000, cacheWrite5mTokens: 200, cacheWrite1hTokens: 300 }],
  audioSeconds: 9.25,
  documentPages: 12,
  annotatedPages: 5,
  compactions: [{ inputTokens: 4000, outputTokens: 500, cacheReadTokens: 1000, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0 }],
  webSearchPreview: true,
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
      service_tier: null, input_audio_tokens: null, web_searches: null, file_searches: null, inference_geo: null, speed: null, advisor_usage: null,
    };
    expect(usageFromRow(sparse)).toStrictEqual({ inputTokens: 5, outputTokens: 0, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 });
  });

  it('web_search_preview is written 1 for searches on the preview tool, NULL otherwise, and read back as webSearchPreview', () => {
    const column = CALL_COLUMNS.indexOf('web_search_preview');
    const base = { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, webSearches: 1 };
    expect(callToParams(makeCall(0, { usage: { ...base, webSearchPreview: true } }))[column]).toBe(1);
    expect(callToParams(makeCall(0, { usage: base }))[column]).toBeNull();
    expect(callToParams(makeCall(0, { usage: { ...base, webSearchPreview: false } }))[column]).toBeNull();
    expect(() => callToParams(makeCall(0, { usage: { ...base, webSearchPreview: 'yes' as unknown as boolean } }))).toThrow(/webSearchPreview/);
    expect(usageFromRow({ ...ROW, web_search_preview: null })?.webSearchPreview).toBeUndefined();
  });

  it('advisor_usage is written as the JSON usageFromRow reads (fields in one order, NULL without advisors) and a value not of that form throws', () => {
    const column = CALL_COLUMNS.indexOf('advisor_usage');
    const advisors = [{ cacheWrite1hTokens: 300, cacheWrite5mTokens: 200, cacheReadTokens: 1000, outputTokens: 1500, inputTokens: 9000, model: 'claude-opus-4-6' }];
    const params = callToParams(makeCall(0, { usage: { ...USAGE, advisors } }));
    expect(params[column]).toBe(ROW.advisor_usage);
    expect(callToParams(makeCall(0, { usage: { ...USAGE, advisors: [] } }))[column]).toBeNull();
    expect(() => callToParams(makeCall(0, { usage: { ...USAGE, advisors: [{ ...advisors[0]!, outputTokens: -1 }] } }))).toThrow('usage.advisors[0].outputTokens');
    for (const bad of ['{', '{}', '[{"model":1}]', '[{"model":"m","inputTokens":1}]']) {
      expect(() => usageFromRow({ ...ROW, advisor_usage: bad })).toThrow(/calls\.advisor_usage is not a list of advisor usages/);
    }
  });
  it('compaction_usage is written as the JSON usageFromRow reads (fields in one order, NULL without steps) and a value not of that form throws', () => {
    const column = CALL_COLUMNS.indexOf('compaction_usage');
    const steps = [{ cacheWrite1hTokens: 0, cacheWrite5mTokens: 0, cacheReadTokens: 1000, outputTokens: 500, inputTokens: 4000 }];
    expect(callToParams(makeCall(0, { usage: { ...USAGE, compactions: steps } }))[column]).toBe(ROW.compaction_usage);
    expect(callToParams(makeCall(0, { usage: { ...USAGE, compactions: [] } }))[column]).toBeNull();
    const { compactions: _none, ...withoutSteps } = USAGE;
    expect(callToParams(makeCall(0, { usage: withoutSteps }))[column]).toBeNull();
    expect(() => callToParams(makeCall(0, { usage: { ...USAGE, compactions: [{ ...steps[0]!, inputTokens: 1.5 }] } }))).toThrow('usage.compactions[0].inputTokens');
    for (const bad of ['{', '{}', '[1]', '[{"inputTokens":1}]', '[{"inputTokens":-1,"outputTokens":0,"cacheReadTokens":0,"cacheWrite5mTokens":0,"cacheWrite1hTokens":0}]']) {
      expect(() => usageFromRow({ ...ROW, compaction_usage: bad })).toThrow(/calls\.compaction_usage is not a list of compaction steps/);
    }
  });
  it('an image tool\'s sub-inference keeps its image output tokens in advisor_usage (the key written only when set) and reads back the same', () => {
    const column = CALL_COLUMNS.indexOf('advisor_usage');
    const images = [{ model: 'gpt-image-1.5', inputTokens: 0, outputTokens: 4160, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, outputImageTokens: 4160 }];
    const text = callToParams(makeCall(0, { usage: { ...USAGE, advisors: images } }))[column] as string;
    expect(text).toBe('[{"model":"gpt-image-1.5","inputTokens":0,"outputTokens":4160,"cacheReadTokens":0,"cacheWrite5mTokens":0,"cacheWrite1hTokens":0,"outputImageTokens":4160}]');
    expect(usageFromRow({ ...ROW, advisor_usage: text })?.advisors).toStrictEqual(images);
    // More image tokens than output tokens, or a count that is not one, is not a value tokometer writes.
    expect(() => callToParams(makeCall(0, { usage: { ...USAGE, advisors: [{ ...images[0]!, outputImageTokens: 5000 }] } }))).toThrow('usage.advisors[0].outputImageTokens');
    expect(() => usageFromRow({ ...ROW, advisor_usage: text.replace('"outputImageTokens":4160', '"outputImageTokens":-1') })).toThrow(/calls\.advisor_usage is not a list of advisor usages/);
  });
  it('input_image_tokens is written as usage.inputImageTokens and read back into it, NULL (left out) without it', () => {
    const column = CALL_COLUMNS.indexOf('input_image_tokens');
    expect(callToParams(makeCall(0, { usage: USAGE }))[column]).toBe(1_000);
    const { inputImageTokens: _, ...withoutImage } = USAGE;
    expect(callToParams(makeCall(0, { usage: withoutImage }))[column]).toBeNull();
    expect(usageFromRow({ ...ROW, input_image_tokens: null })).toStrictEqual(withoutImage);
  });

  it('audio_seconds is written as usage.audioSeconds (fractional seconds), NULL without it, and a negative or non-finite one is refused', () => {
    const column = CALL_COLUMNS.indexOf('audio_seconds');
    expect(callToParams(makeCall(0, { usage: { ...USAGE, audioSeconds: 9.25 } }))[column]).toBe(9.25);
    const { audioSeconds: _, ...withoutSeconds } = USAGE;
    expect(callToParams(makeCall(0, { usage: withoutSeconds }))[column]).toBeNull();
    expect(() => callToParams(makeCall(0, { usage: { ...USAGE, audioSeconds: -1 } }))).toThrow('usage.audioSeconds');
    expect(() => callToParams(makeCall(0, { usage: { ...USAGE, audioSeconds: Number.NaN } }))).toThrow('usage.audioSeconds');
  });
  it('document_pages and annotated_pages are written as usage.documentPages and annotatedPages, NULL without them, and a negative or fractional count is refused', () => {
    const pages = CALL_COLUMNS.indexOf('document_pages');
    const annotated = CALL_COLUMNS.indexOf('annotated_pages');
    const params = callToParams(makeCall(0, { usage: USAGE }));
    expect([params[pages], params[annotated]]).toEqual([12, 5]);
    const { documentPages: _p, annotatedPages: _a, ...withoutPages } = USAGE;
    const none = callToParams(makeCall(0, { usage: withoutPages }));
    expect([none[pages], none[annotated]]).toEqual([null, null]);
    expect(() => callToParams(makeCall(0, { usage: { ...USAGE, documentPages: -1 } }))).toThrow('usage.documentPages');
    expect(() => callToParams(makeCall(0, { usage: { ...USAGE, annotatedPages: 1.5 } }))).toThrow('usage.annotatedPages');
  });
});
