import { streamOf } from '../proxy/stream-body.js';
import type { OutgoingResponse } from '../proxy/types.js';
import type { Handler, StartServer } from '../server/types.js';
import { PromptCache } from './prompt-cache.js';
import { hashString } from './random.js';
import { anthropicJson, anthropicStream, errorBody, geminiEmbeddingsJson, geminiJson, geminiStream, openAiChatJson, openAiChatStream, openAiEmbeddingsJson, type SimAnswer, type SimFamily } from './sim-formats.js';
import { countTokens, textFor } from './text.js';

/**
 * The demo's built-in LLM provider: an HTTP server on 127.0.0.1 that answers OpenAI
 * (`/v1/chat/completions`, `/v1/embeddings`), Anthropic (`/v1/messages`) and Gemini
 * (`/v1beta/models/{model}:generateContent|streamGenerateContent|embedContent|batchEmbedContents`)
 * in their own wire formats, streamed or not, with usage counted from the prompt
 * (one token = 4 characters) and implicit prompt caching for OpenAI and Gemini (see
 * PromptCache; Anthropic caches only with cache_control, which the demo never sends).
 *
 * It checks the upstream key the proxy must send, in each family's header. Three
 * request headers steer it; the proxy forwards them like any header it does not know:
 * SIM_TIME_HEADER (the call's simulated time, for the cache), SIM_OUTPUT_HEADER (how
 * many tokens the "model" writes, capped by the request's max output tokens) and
 * SIM_FAIL_HEADER (answer with this error status instead).
 */

/** Simulated time of the call, ms since the epoch. Default: the real clock. */
export const SIM_TIME_HEADER = 'x-demo-time';
/** Output tokens to produce. Default: 20–299, derived from the request body. */
export const SIM_OUTPUT_HEADER = 'x-demo-output-tokens';
/** Answer with this HTTP status (e.g. 529 overloaded) in the family's error shape. */
export const SIM_FAIL_HEADER = 'x-demo-fail';

/** Tokens per streamed chunk. */
const CHUNK_TOKENS = 16;
/** Extra prompt tokens per chat request (message framing). */
const CHAT_OVERHEAD_TOKENS = 3;

/** Dated snapshots the real APIs answer with; other models answer with their own name. */
const SNAPSHOTS: Readonly<Record<string, string>> = {
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
};

export interface SimulatedProviderOptions {
  /** The key the proxy must present as its upstream credential. */
  apiKey: string;
}

export interface SimulatedProvider {
  /** Base URL, e.g. http://127.0.0.1:41234 (OpenAI base_url is this + /v1). */
  url: string;
  /** Requests answered so far, errors included. */
  requests(): number;
  close(): Promise<void>;
}

/** Starts the simulated provider on 127.0.0.1, port 0, with the runtime's server edge. */
export async function startSimulatedProvider(startServer: StartServer, options: SimulatedProviderOptions): Promise<SimulatedProvider> {
  let served = 0;
  const handle = createSimulatedHandler(options);
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    handler: (call) => {
      served++;
      return handle(call);
    },
    onError: () => {},
  });
  return { url: `http://127.0.0.1:${server.port}`, requests: () => served, close: () => server.close(1000) };
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Text of an OpenAI/Anthropic `content` (string or text blocks) or a Gemini `{parts}`. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (isObj(content)) return textOf(content.parts ?? content.text);
  return list(content)
    .map((part) => (isObj(part) && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** What one generation request asks for, whatever its family. */
interface Generation {
  family: SimFamily;
  model: string;
  /** The prompt as one string (what the cache compares). */
  prompt: string;
  promptTokens: number;
  maxOutput: number | null;
  /** SSE stream (Gemini: only with alt=sse). */
  stream: boolean;
  /** Gemini streamGenerateContent without alt=sse: one JSON array instead of SSE. */
  jsonArray: boolean;
  /** OpenAI: the client asked for the usage chunk (stream_options.include_usage). */
  includeUsage: boolean;
  /** The provider caches prompt prefixes by itself (OpenAI, Gemini), with no request markup. */
  implicitCache: boolean;
}

const positive = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : null);

function openAiGeneration(body: Json): Generation {
  const prompt = list(body.messages)
    .map((m) => (isObj(m) ? `${String(m.role)}: ${textOf(m.content)}` : ''))
    .join('\n');
  const options = isObj(body.stream_options) ? body.stream_options : {};
  return {
    family: 'openai',
    model: String(body.model ?? ''),
    prompt,
    promptTokens: countTokens(prompt) + CHAT_OVERHEAD_TOKENS,
    maxOutput: positive(body.max_completion_tokens) ?? positive(body.max_tokens),
    stream: body.stream === true,
    jsonArray: false,
    includeUsage: options.include_usage === true,
    implicitCache: true,
  };
}

function anthropicGeneration(body: Json): Generation {
  const prompt = [textOf(body.system), ...list(body.messages).map((m) => (isObj(m) ? textOf(m.content) : ''))].join('\n');
  return { family: 'anthropic', model: String(body.model ?? ''), prompt, promptTokens: countTokens(prompt), maxOutput: positive(body.max_tokens), stream: body.stream === true, jsonArray: false, includeUsage: true, implicitCache: false };
}

function geminiGeneration(body: Json, model: string, method: string, query: string): Generation {
  const prompt = [textOf(body.systemInstruction), ...list(body.contents).map(textOf)].join('\n');
  const config = isObj(body.generationConfig) ? body.generationConfig : {};
  const streaming = method === 'streamGenerateContent';
  const sse = streaming && new URLSearchParams(query).get('alt') === 'sse';
  return { family: 'gemini', model, prompt, promptTokens: countTokens(prompt), maxOutput: positive(config.maxOutputTokens), stream: sse, jsonArray: streaming && !sse, includeUsage: true, implicitCache: true };
}

const GEMINI_PATH = /^\/v1(?:beta)?\/models\/([^/:]+):([A-Za-z]+)$/;

/** The simulated provider as a runtime-neutral handler (exported for tests). */
export function createSimulatedHandler(options: SimulatedProviderOptions): Handler {
  const cache = new PromptCache();
  const json = (status: number, body: string): OutgoingResponse => ({ status, headers: { 'content-type': 'application/json' }, body });

  return async (call) => {
    const [path = '', query = ''] = call.url.split('?', 2);
    const gemini = GEMINI_PATH.exec(path);
    const family: SimFamily | null = gemini ? 'gemini' : path === '/v1/messages' ? 'anthropic' : path.startsWith('/v1/') ? 'openai' : null;
    if (!family) return json(404, errorBody('openai', 404, `simulated provider: no route for ${path}`));
    const presented = family === 'openai' ? call.headers.authorization : family === 'anthropic' ? call.headers['x-api-key'] : call.headers['x-goog-api-key'];
    const expected = family === 'openai' ? `Bearer ${options.apiKey}` : options.apiKey;
    if (presented !== expected) return json(401, errorBody(family, 401, 'simulated provider: wrong or missing upstream API key'));

    const raw = await call.readBody(64 * 1024 * 1024);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(raw ?? new Uint8Array()));
    } catch {
      return json(400, errorBody(family, 400, 'simulated provider: request body is not JSON'));
    }
    if (!isObj(body)) return json(400, errorBody(family, 400, 'simulated provider: request body is not a JSON object'));
    const fail = Number(call.headers[SIM_FAIL_HEADER] ?? '');
    if (Number.isInteger(fail) && fail >= 400) return json(fail, errorBody(family, fail, fail === 529 ? 'Overloaded' : 'simulated upstream failure'));

    const method = gemini?.[2];
    if (family === 'openai' && path === '/v1/embeddings') {
      const inputs = typeof body.input === 'string' ? [body.input] : list(body.input).map(String);
      const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
      return json(200, openAiEmbeddingsJson(String(body.model ?? ''), inputs.length, tokens, body.encoding_format === 'base64'));
    }
    if (method === 'embedContent') return json(200, geminiEmbeddingsJson(null));
    if (method === 'batchEmbedContents') return json(200, geminiEmbeddingsJson(list(body.requests).length));

    let generation: Generation;
    if (family === 'anthropic') generation = anthropicGeneration(body);
    else if (gemini && (method === 'generateContent' || method === 'streamGenerateContent')) generation = geminiGeneration(body, gemini[1]!, method, query);
    else if (path === '/v1/chat/completions') generation = openAiGeneration(body);
    else return json(404, errorBody(family, 404, `simulated provider: ${path} is not simulated`));

    const stated = Number(call.headers[SIM_TIME_HEADER]);
    const now = Number.isFinite(stated) ? stated : Date.now();
    const answer = answerFor(generation, cache, now, Number(call.headers[SIM_OUTPUT_HEADER] ?? NaN), hashString(`${now}:${generation.prompt}`));
    if (!generation.stream) {
      const text = family === 'openai' ? openAiChatJson(answer) : family === 'anthropic' ? anthropicJson(answer) : geminiJson(answer);
      return json(200, generation.jsonArray ? `[${text}]` : text);
    }
    const frames = family === 'openai' ? openAiChatStream(answer, generation.includeUsage) : family === 'anthropic' ? anthropicStream(answer) : geminiStream(answer);
    return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, body: streamOf(framesOf(frames)) };
  };
}

/** The answer to one generation: usage from the prompt, the cache and the output knob. */
function answerFor(g: Generation, cache: PromptCache, now: number, requestedOutput: number, seed: number): SimAnswer {
  const wanted = Number.isFinite(requestedOutput) && requestedOutput >= 0 ? Math.floor(requestedOutput) : 20 + (seed % 280);
  const outputTokens = g.maxOutput === null ? wanted : Math.min(wanted, g.maxOutput);
  const text = textFor(`answer:${seed}`, outputTokens);
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += CHUNK_TOKENS * 4) chunks.push(text.slice(i, i + CHUNK_TOKENS * 4));
  const cachedTokens = g.implicitCache ? Math.min(cache.lookup(`${g.family}:${g.model}`, g.prompt, now), g.promptTokens) : 0;
  const prefix = g.family === 'anthropic' ? 'msg_sim' : g.family === 'openai' ? 'chatcmpl-sim' : 'sim';
  return {
    id: `${prefix}${seed.toString(36)}`,
    model: SNAPSHOTS[g.model] ?? g.model,
    created: Math.floor(now / 1000),
    promptTokens: g.promptTokens,
    cachedTokens,
    outputTokens,
    truncated: outputTokens < wanted,
    chunks,
  };
}

/** The frames as separate chunks, so the proxy relays a real stream. */
async function* framesOf(frames: readonly string[]): AsyncIterable<Uint8Array> {
  const encoder = new TextEncoder();
  for (const frame of frames) yield encoder.encode(frame);
}
