import type { FinishedCall } from './types.js';

/** An OpenTelemetry attribute value (the subset tokometer sets). */
export type AttributeValue = string | number | boolean | string[];
export type Attributes = Record<string, AttributeValue>;

/**
 * `gen_ai.operation.name` per stored endpoint name (GenAI semantic conventions). Endpoints
 * not listed (model lists, token counting, `other`) keep their endpoint name.
 */
const OPERATIONS: Readonly<Record<string, string>> = {
  'chat.completions': 'chat',
  responses: 'chat',
  'responses.compact': 'chat',
  messages: 'chat',
  chat: 'chat',
  'v1.chat': 'chat',
  generateContent: 'generate_content',
  interactions: 'chat',
  'interactions.agent': 'invoke_agent',
  embeddings: 'embeddings',
  embed: 'embeddings',
  'v1.embed': 'embeddings',
  embedContent: 'embeddings',
  batchEmbedContents: 'embeddings',
  completions: 'text_completion',
  'fim.completions': 'text_completion',
};

/** `gen_ai.provider.name` well-known values for tokometer's built-in provider names; others keep their configured name. */
const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  gemini: 'gcp.gemini',
  mistral: 'mistral_ai',
  xai: 'x_ai',
};

export function operationName(endpoint: string): string {
  return OPERATIONS[endpoint] ?? endpoint;
}

export function providerName(provider: string): string {
  return PROVIDER_NAMES[provider] ?? provider;
}

/** Host and port of a provider's base URL (`server.address`, `server.port`). */
export interface ServerAddress {
  address: string;
  port: number;
}

/** Server addresses by tokometer provider name, from the providers' base URLs. */
export function serverAddresses(baseUrls: Iterable<[name: string, baseUrl: string]>): Map<string, ServerAddress> {
  const out = new Map<string, ServerAddress>();
  for (const [name, baseUrl] of baseUrls) {
    try {
      const url = new URL(baseUrl);
      out.set(name, { address: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80 });
    } catch {
      // A base URL the config accepted always parses; nothing to add otherwise.
    }
  }
  return out;
}

/** The span name the GenAI conventions ask for: `{operation} {request model}`, e.g. `chat gpt-4o`. */
export function spanName(call: FinishedCall): string {
  const op = operationName(call.record.endpoint);
  return call.record.modelRequested ? `${op} ${call.record.modelRequested}` : op;
}

/**
 * `error.type` for a call that did not succeed: the HTTP status when one says failure
 * (upstream errors and tokometer's own refusals), else the outcome (`upstream_failed`,
 * `client_aborted`). Null for a successful call.
 */
export function errorType(call: FinishedCall): string | null {
  const { outcome, status } = call.record;
  if (outcome === 'ok') return null;
  return status >= 400 ? String(status) : outcome;
}

/** Cost in USD as a double, or null when unpriced. Exact to the nano-dollar for any cost under $9,007,199. */
export function costUsd(call: FinishedCall): number | null {
  return call.record.costNano === null ? null : call.record.costNano / 1e9;
}

/**
 * Seconds from the call's arrival to the first chunk of a streamed answer, or null: a call
 * not streamed, one whose answer never came, and an error answer to a stream request (a
 * non-2xx status: its body is the provider's error, not a first chunk of output) have none.
 */
export function firstChunkSeconds(call: FinishedCall): number | null {
  const r = call.record;
  if (!r.streamed || r.ttfbMs === null || r.status < 200 || r.status >= 300) return null;
  return r.ttfbMs / 1000;
}

/**
 * Every attribute of the call's span. Keys and tags are names, never secrets: the record
 * holds no credential (store/types.ts), and nothing else is read.
 */
export function spanAttributes(call: FinishedCall, server: ServerAddress | undefined): Attributes {
  const r = call.record;
  const a: Attributes = {
    'gen_ai.operation.name': operationName(r.endpoint),
    'gen_ai.provider.name': providerName(r.provider),
    'tokometer.outcome': r.outcome,
    'tokometer.endpoint': r.endpoint,
    'tokometer.streamed': r.streamed,
    'tokometer.usage.source': r.usageSource,
    'tokometer.cost.priced': r.costNano !== null,
  };
  if (r.modelRequested) a['gen_ai.request.model'] = r.modelRequested;
  if (call.responseModel) a['gen_ai.response.model'] = call.responseModel;
  if (r.maxOutputTokens !== null) a['gen_ai.request.max_tokens'] = r.maxOutputTokens;
  if (r.usage) {
    a['gen_ai.usage.input_tokens'] = r.usage.inputTokens;
    a['gen_ai.usage.output_tokens'] = r.usage.outputTokens;
    a['gen_ai.usage.cache_read.input_tokens'] = r.usage.cacheReadTokens;
    a['gen_ai.usage.cache_creation.input_tokens'] = r.usage.cacheWrite5mTokens + r.usage.cacheWrite1hTokens;
    if (r.usage.reasoningTokens > 0) a['gen_ai.usage.reasoning.output_tokens'] = r.usage.reasoningTokens;
  }
  if (call.finishReasons && call.finishReasons.length > 0) a['gen_ai.response.finish_reasons'] = [...call.finishReasons];
  if (server) {
    a['server.address'] = server.address;
    a['server.port'] = server.port;
  }
  if (r.status > 0) a['http.response.status_code'] = r.status;
  const error = errorType(call);
  if (error) a['error.type'] = error;
  const usd = costUsd(call);
  if (usd !== null) {
    a['gen_ai.usage.cost.amount'] = usd;
    a['gen_ai.usage.cost.currency'] = 'USD';
    a['gen_ai.usage.cost.source'] = 'local';
    a['tokometer.cost.nano_usd'] = r.costNano as number;
  }
  if (r.providerCostNano !== null) a['tokometer.cost.provider_reported_usd'] = r.providerCostNano / 1e9;
  const firstChunk = firstChunkSeconds(call);
  if (firstChunk !== null) a['gen_ai.response.time_to_first_chunk'] = firstChunk;
  if (r.keyName) a['tokometer.key'] = r.keyName;
  if (call.budget) a['tokometer.budget'] = call.budget;
  for (const key in r.tags) a[`tokometer.tag.${key}`] = r.tags[key] as string;
  return a;
}

/**
 * The attributes of every metric point of a call: provider, operation, models, key,
 * outcome, `error.type` on failure, and only the tag keys in `metricTags`.
 */
export function metricAttributes(call: FinishedCall, metricTags: readonly string[], server: ServerAddress | undefined): Record<string, string | number> {
  const r = call.record;
  const a: Record<string, string | number> = {
    'gen_ai.operation.name': operationName(r.endpoint),
    'gen_ai.provider.name': providerName(r.provider),
    'tokometer.outcome': r.outcome,
  };
  if (r.modelRequested) a['gen_ai.request.model'] = r.modelRequested;
  if (call.responseModel) a['gen_ai.response.model'] = call.responseModel;
  if (server) a['server.address'] = server.address;
  if (r.keyName) a['tokometer.key'] = r.keyName;
  const error = errorType(call);
  if (error) a['error.type'] = error;
  for (const key of metricTags) {
    const v = r.tags[key];
    if (v !== undefined) a[`tokometer.tag.${key}`] = v;
  }
  return a;
}
