import { embedText, promptFor, type Prompt } from './prompts.js';
import { SIM_FAIL_HEADER, SIM_OUTPUT_HEADER, SIM_TIME_HEADER } from './simulated-provider.js';
import type { Feature, PlannedCall } from './workload.js';

/**
 * Which provider and model serve each feature, and the HTTP request a client SDK of
 * that provider would send through the proxy (path under /proxy/<provider>, auth header
 * carrying the metering key, X-Metering-Tags, JSON body).
 */

/** A provider name (as in /proxy/<name>) and the model asked for. */
export interface Route {
  provider: string;
  model: string;
}

/** The models behind each feature; embeddings belong to the chatbot (retrieval). */
export interface Routes {
  summarizer: Route;
  chatbot: Route;
  embeddings: Route;
  autocomplete: Route;
}

/**
 * Routes for the providers this build's proxy serves: the summarizer on Anthropic's
 * large model, the chatbot on a small OpenAI model, the autocomplete on Gemini's
 * cheapest. Where an adapter is missing, an OpenAI model of the same class stands in,
 * and `substitutions` says so.
 */
export function chooseRoutes(served: ReadonlySet<string>): { routes: Routes; substitutions: string[] } {
  const substitutions: string[] = [];
  const pick = (feature: Feature, wanted: Route, standIn: Route): Route => {
    if (served.has(wanted.provider)) return wanted;
    substitutions.push(`${feature}: ${wanted.provider} is not served by this build, using ${standIn.provider} ${standIn.model} instead of ${wanted.model}`);
    return standIn;
  };
  return {
    routes: {
      summarizer: pick('summarizer', { provider: 'anthropic', model: 'claude-sonnet-4-5' }, { provider: 'openai', model: 'gpt-4o' }),
      chatbot: { provider: 'openai', model: 'gpt-4.1-mini' },
      embeddings: { provider: 'openai', model: 'text-embedding-3-small' },
      autocomplete: pick('autocomplete', { provider: 'gemini', model: 'gemini-2.5-flash-lite' }, { provider: 'openai', model: 'gpt-4.1-nano' }),
    },
    substitutions,
  };
}

/** One HTTP request to the proxy. */
export interface DemoRequest {
  /** Path on the proxy, starting with /proxy/<provider>/. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** The request for a planned call, sent with metering key `secret`. */
export function buildRequest(call: PlannedCall, routes: Routes, secret: string): DemoRequest {
  const route = call.intent.kind === 'embed' ? routes.embeddings : routes[call.feature];
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-metering-tags': JSON.stringify(call.tags),
    [SIM_TIME_HEADER]: String(call.at),
    [SIM_OUTPUT_HEADER]: String(call.outputTokens),
    ...(call.fail !== undefined ? { [SIM_FAIL_HEADER]: String(call.fail) } : {}),
  };
  if (call.intent.kind === 'embed') {
    headers.authorization = `Bearer ${secret}`;
    return { path: `/proxy/${route.provider}/embeddings`, headers, body: JSON.stringify({ model: route.model, input: embedText(call.intent) }) };
  }
  const prompt = promptFor(call.intent);
  if (route.provider === 'anthropic') {
    headers['x-api-key'] = secret;
    headers['anthropic-version'] = '2023-06-01';
    return { path: '/proxy/anthropic/v1/messages', headers, body: JSON.stringify(anthropicBody(route.model, prompt)) };
  }
  if (route.provider === 'gemini') {
    headers['x-goog-api-key'] = secret;
    const method = prompt.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    return { path: `/proxy/gemini/v1beta/models/${route.model}:${method}`, headers, body: JSON.stringify(geminiBody(prompt)) };
  }
  headers.authorization = `Bearer ${secret}`;
  return { path: `/proxy/${route.provider}/chat/completions`, headers, body: JSON.stringify(openAiBody(route.model, prompt)) };
}

function openAiBody(model: string, p: Prompt): Record<string, unknown> {
  return {
    model,
    messages: [{ role: 'system', content: p.system }, ...p.messages],
    ...(p.maxTokens !== null ? { max_tokens: p.maxTokens } : {}),
    temperature: 0.3,
    ...(p.stream ? { stream: true } : {}),
  };
}

function anthropicBody(model: string, p: Prompt): Record<string, unknown> {
  // Anthropic requires max_tokens; a feature without a limit gets the model's usual default.
  return { model, max_tokens: p.maxTokens ?? 4096, system: p.system, messages: p.messages, temperature: 0.3, ...(p.stream ? { stream: true } : {}) };
}

function geminiBody(p: Prompt): Record<string, unknown> {
  return {
    systemInstruction: { parts: [{ text: p.system }] },
    contents: p.messages.map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
    generationConfig: { temperature: 0.2, ...(p.maxTokens !== null ? { maxOutputTokens: p.maxTokens } : {}) },
  };
}
