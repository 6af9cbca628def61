import { ProxyError } from '../lib/errors.js';
import { audioUpload } from '../providers/audio-length.js';
import { builtinProvider } from '../providers/builtins.js';
import { isObj } from '../providers/json.js';
import { referencedImageTokens, uploadedImageTokens } from '../providers/openai-images.js';
import { speechRequest } from '../providers/openai-speech.js';
import type { ProviderRuntime } from '../providers/registry.js';
import type { ProviderAdapter, RequestInfo } from '../providers/types.js';
import type { ResolvedKey } from './auth.js';
import type { CallRecorder } from './call-recorder.js';
import { readFormFields } from './form-fields.js';
import { formFieldRefusal, modelNameRefusal, modelRefusal } from './model-allow-list.js';
import type { IncomingCall } from './types.js';

/**
 * What a provider call asks for, read from its body (decoded, up to limits.max_body_bytes)
 * once it has arrived and before the budget decides (handler.ts proxyCall): the JSON body,
 * parsed once per call, or a multipart upload's text fields, described by the adapter as a
 * RequestInfo (model, stream, limits; an upload's text bytes, and the audio seconds and
 * tokens or image input tokens its files bound), and the refusals decided before anything
 * is sent: a request the adapter refuses, a model name too long to be any provider's, a
 * model the key may not use, a provider serve has no API key for. Synchronous, no I/O.
 * Invariant: only a JSON body is handed on to `prepare` (`json`); a form is forwarded byte
 * for byte as it came.
 */

/** A refused call: the error answered and whether the call is recorded (false when no valid key identified it). */
export interface Refusal {
  refused: ProxyError;
  record: boolean;
}

/** What the call asks for (model, stream, limits) from its body, and the provider API key to send it with (null: none, ProviderRuntime.keyless); refuses model names too long to be any provider's, models the key may not use and providers without an API key. */
export function describeRequest<R>(
  call: IncomingCall,
  provider: ProviderRuntime,
  path: string,
  body: Uint8Array,
  key: ResolvedKey,
  recorder: CallRecorder<R>,
): { json: unknown; info: RequestInfo; apiKey: string | null } | Refusal {
  const json = parseJsonBody(body);
  // A file upload (multipart form data) says what a JSON body would in its text fields; only
  // JSON is ever handed to `prepare` (a form is forwarded as it came).
  const form = json === undefined ? readFormFields(call.headers['content-type'], body) : null;
  const info = provider.adapter.describe(call.method, path, json ?? form?.fields);
  if (form !== null) info.upload = { textBytes: form.textBytes };
  // A transcription's files are audio, whose length their headers or sizes tell (audio-length.ts).
  if (form !== null && info.kind === 'transcriptions') info.upload = audioUpload(form.textBytes, form.files);
  // An image edit's or variation's files are images, each held at a bound of image input tokens (openai-images.ts).
  if (form !== null && info.kind === 'images') info.upload = { textBytes: form.textBytes, imageTokens: uploadedImageTokens(form.files) };
  // A JSON edit names its images by reference: held as uploaded ones are, the body as its text.
  const referenced = form === null && info.kind === 'images' && isObj(json) ? referencedImageTokens(json) : 0;
  if (referenced > 0) info.upload = { textBytes: body.length, imageTokens: referenced };
  // Text-to-speech: the text and format an answer of raw audio (no usage) is estimated from.
  if (info.kind === 'speech' && isObj(json)) info.speech = speechRequest(json);
  recorder.describe(info, body);
  if (info.refused !== undefined) return { refused: new ProxyError('bad_request', info.refused), record: true };
  const notAllowed = formFieldRefusal(form, info) ?? modelNameRefusal(info) ?? modelRefusal(key, info, provider.name);
  if (notAllowed !== null) return { refused: notAllowed, record: true };
  // A keyless OpenAI-compatible server (ollama, vLLM) is called with no credential (null).
  if (!provider.apiKey && provider.keyless === true) return { json, info, apiKey: null };
  if (!provider.apiKey) {
    // Lasts until serve restarts with a key: the official SDKs must not retry it (they retry every 5xx).
    return {
      refused: new ProxyError('upstream_unreachable', noApiKeyMessage(provider.name), {}, { 'x-should-retry': 'false' }),
      record: true,
    };
  }
  return { json, info, apiKey: provider.apiKey };
}

/** The body a call refused before its body was read is recorded with: none (hash null, 0 bytes). */
export const NO_BODY: Uint8Array = new Uint8Array(0);

/**
 * What the path alone says of a call refused before its body was read or described
 * (handler.ts: a bad X-Metering-Tags header, a body over limits.max_body_bytes or one that
 * does not decode, a provider the key may not call), for its record: the endpoint, and the
 * model and the stream where the path names them (Gemini's
 * `models/gemini-2.5-flash:streamGenerateContent`). A model an endpoint runs when the body
 * names none (OpenAI image edits) is the adapter's guess, not the path's: left null, as is
 * the output limit. Reads no body: `describe` is given none.
 */
export function describePath(adapter: ProviderAdapter, method: string, path: string): RequestInfo {
  const info = adapter.describe(method, path, undefined);
  const model = info.model !== null && pathText(path).includes(info.model) ? info.model : null;
  return { endpoint: info.endpoint, kind: info.kind, metered: info.metered, model, streaming: info.streaming, maxOutputTokens: null };
}

/** The path as its segments read, %-escapes decoded (the path itself when one does not decode). */
function pathText(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Stateless for whole-buffer decodes, so one instance serves every call. */
const DECODER = new TextDecoder();

function parseJsonBody(body: Uint8Array): unknown {
  if (body.length === 0) return undefined;
  const first = body[0];
  // Only objects and arrays are worth parsing; skip leading whitespace cheaply. A UTF-8 byte
  // order mark (0xEF…) is read past as well, as parsers decoding UTF-8 with its BOM read it
  // (Python's json.loads of bytes): DECODER drops it.
  if (first !== 0x7b && first !== 0x5b && first !== 0x20 && first !== 0x0a && first !== 0x0d && first !== 0x09 && first !== 0xef) return undefined;
  try {
    return JSON.parse(DECODER.decode(body));
  } catch {
    return undefined;
  }
}

/**
 * The 502 text for a provider serve has no API key for: the config field, and for a
 * built-in provider the environment variables serve reads it from (providers/builtins.ts
 * `keyEnv`, first one wins), e.g. ANTHROPIC_API_KEY. Both are read when serve starts.
 */
export function noApiKeyMessage(name: string): string {
  const [first, ...others] = builtinProvider(name)?.keyEnv ?? [];
  const where =
    first === undefined
      ? ` (a provider that is not built in has no key variable of its own; api_key: \${${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_KEY} reads one)`
      : ` or ${first}${others.length > 0 ? ` (or ${others.join(', ')})` : ''} in serve's environment`;
  return `No API key is configured for provider '${name}': set providers.${name}.api_key in the config${where}, then restart serve.`;
}
