import { configSchema } from '../../src/config/schema.js';
import { telemetryOptions } from '../../src/config/telemetry-schema.js';
import type { CallRecord } from '../../src/store/types.js';
import type { FinishedCall, TelemetryOptions } from '../../src/telemetry/types.js';

/** A finished, priced, streamed chat call; override any record field. */
export function finishedCall(record: Partial<CallRecord> = {}, extra: Partial<Omit<FinishedCall, 'record'>> = {}): FinishedCall {
  return {
    record: {
      ts: 1_790_000_000_000,
      keyName: 'summarizer',
      provider: 'openai',
      endpoint: 'chat.completions',
      modelRequested: 'gpt-4o-mini',
      model: 'gpt-4o-mini-2024-07-18',
      status: 200,
      outcome: 'ok',
      streamed: true,
      usage: { inputTokens: 1250, outputTokens: 9, cacheReadTokens: 1024, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 },
      usageSource: 'reported',
      costNano: 116_100,
      providerCostNano: null,
      priceSource: 'genai-prices',
      latencyMs: 42.5,
      ttfbMs: 12.25,
      tags: { feature: 'summarizer', user_id: 'u_1' },
      requestHash: null,
      promptBytes: 100,
      maxOutputTokens: 256,
      error: null,
      ...record,
    },
    trace: null,
    responseModel: 'gpt-4o-mini-2024-07-18',
    finishReasons: ['stop'],
    budget: null,
    ...extra,
  };
}

/**
 * The GenAI span attributes of a chat call to gpt-4o-mini answering with the usage of
 * the openai chat fixtures (1250 prompt tokens, 1024 of them cached, 9 output, stop).
 */
export const CHAT_SPAN_ATTRIBUTES = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'gen_ai.usage.input_tokens': 1250,
  'gen_ai.usage.output_tokens': 9,
  'gen_ai.usage.cache_read.input_tokens': 1024,
  'gen_ai.usage.cache_creation.input_tokens': 0,
  'gen_ai.response.finish_reasons': ['stop'],
  'gen_ai.usage.cost.currency': 'USD',
  'gen_ai.usage.cost.source': 'local',
  'tokometer.cost.priced': true,
  'tokometer.key': 'summarizer',
  'tokometer.tag.feature': 'summarizer',
};

/** The telemetry options the proxy gets from a `telemetry:` section written as in YAML. */
export function telemetryConfig(section: Record<string, unknown> = {}): TelemetryOptions {
  return telemetryOptions(configSchema.parse({ telemetry: section }).telemetry);
}

/** A logger that keeps its lines. */
export function memoryLog() {
  const lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  return {
    lines,
    info: (msg: string, fields?: Record<string, unknown>) => void lines.push({ level: 'info', msg, ...(fields ? { fields } : {}) }),
    warn: (msg: string, fields?: Record<string, unknown>) => void lines.push({ level: 'warn', msg, ...(fields ? { fields } : {}) }),
  };
}
