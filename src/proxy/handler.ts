import { monotonicMs } from '../lib/clock.js';
import { ProxyError } from '../lib/errors.js';
import type { ProviderRuntime } from '../providers/registry.js';
import type { PreparedRequest, ProviderAdapter } from '../providers/types.js';
import type { CallOutcome } from '../store/types.js';
import { incomingTrace } from '../telemetry/index.js';
import { finishCall, newCallState, type CallState } from './call-state.js';
import type { ProxyDeps } from './deps.js';
import { clientHeaders, upstreamHeaders } from './forward.js';
import { bufferedJson, isSmall, relay, relayMode } from './relay.js';
import { parseRoute, upstreamUrl } from './route.js';
import { mergeTags, parseTags } from './tags.js';
import { UpstreamError, upstreamFailureKind, type IncomingCall, type OutgoingResponse } from './types.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Methods a provider API can take; anything else (TRACE, CONNECT, WebDAV…) is refused with 405. */
const PROXIED_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** Connection errors after which the provider cannot have seen (or billed) the request. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Renders a ProxyError in the shape of the provider the call was meant for. */
function errorResponse(adapter: ProviderAdapter, error: ProxyError): OutgoingResponse {
  const rendered = adapter.renderError(error);
  return { status: rendered.status, headers: rendered.headers, body: rendered.body };
}

/**
 * The whole proxy: request in, response out, no runtime imports. Routes to health,
 * metrics, admin or a provider; for providers it authenticates, tags, budgets,
 * forwards and relays, and records the call exactly once.
 */
export function createHandler(deps: ProxyDeps): (call: IncomingCall) => Promise<OutgoingResponse> {
  const fallbackAdapter = deps.providers.get('openai')?.adapter ?? [...deps.providers.values()][0]?.adapter;
  if (!fallbackAdapter) throw new Error('no provider adapters configured');

  return async (call) => {
    const route = parseRoute(call.url);
    if (!route.ok) return errorResponse(fallbackAdapter, new ProxyError('bad_request', `Invalid request path: ${route.error}.`));
    switch (route.value.kind) {
      case 'health':
        return { status: 200, headers: JSON_HEADERS, body: deps.health ? JSON.stringify(deps.health()) : '{"status":"ok"}' };
      case 'metrics':
        return { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4' }, body: deps.metrics.render() };
      case 'admin':
        if (!deps.admin) return errorResponse(fallbackAdapter, new ProxyError('not_found', 'The admin API is disabled: set admin.token in the config or TOKOMETER_ADMIN_TOKEN.'));
        return deps.admin(call, route.value.path, route.value.query);
      case 'unknown':
        return errorResponse(fallbackAdapter, new ProxyError('not_found', `No route for ${call.method} ${call.url.split('?')[0]}. Send provider calls to /proxy/<provider>/…, e.g. /proxy/openai/chat/completions.`));
      case 'proxy': {
        const provider = deps.providers.get(route.value.provider);
        if (!provider) {
          const known = [...deps.providers.keys()].join(', ');
          return errorResponse(fallbackAdapter, new ProxyError('not_found', `Unknown provider '${route.value.provider}'. Known providers: ${known}. Add others under providers: in the config.`));
        }
        if (!PROXIED_METHODS.has(call.method)) {
          return errorResponse(provider.adapter, new ProxyError('method_not_allowed', `Method ${call.method} is not allowed; providers take ${[...PROXIED_METHODS].join(', ')}.`, {}, { allow: [...PROXIED_METHODS].join(', ') }));
        }
        return proxyCall(call, provider, route.value.path, route.value.query, deps);
      }
    }
  };
}

async function proxyCall(call: IncomingCall, provider: ProviderRuntime, path: string, rawQuery: string, deps: ProxyDeps): Promise<OutgoingResponse> {
  const adapter = provider.adapter;
  const state = newCallState(provider.name, deps.clock(), monotonicMs());
  if (deps.telemetry) state.trace = incomingTrace(call.headers);
  const refuse = (error: ProxyError, record: boolean): OutgoingResponse => {
    state.status = error.status;
    state.error = error.message;
    if (record) finishCall(state, 'refused', deps, monotonicMs());
    return errorResponse(adapter, error);
  };

  const query = new URLSearchParams(rawQuery);
  const querySize = query.size;
  const secret = adapter.clientKey(call.headers, query);
  if (!secret) return refuse(new ProxyError('unauthorized', `Missing metering key. Send your tokometer key (mk_…) the way the ${provider.name} SDK sends its API key.`), false);
  const key = deps.keys.resolve(secret);
  if (!key) return refuse(new ProxyError('unauthorized', 'Invalid or revoked metering key. Create one with `tokometer keys create NAME`.'), false);
  state.keyName = key.name;
  const refusal = deps.refusal?.();
  if (refusal) return refuse(new ProxyError('unavailable', refusal), false);

  const parsedTags = parseTags(call.headers['x-metering-tags']);
  if (!parsedTags.ok && deps.tagsOnInvalid === 'reject') {
    state.tags = { ...key.tags };
    return refuse(new ProxyError('bad_request', parsedTags.error), true);
  }
  state.tags = mergeTags(parsedTags.ok ? parsedTags.value : {}, key.tags);

  if (key.providers.length > 0 && !key.providers.includes(provider.name)) {
    return refuse(new ProxyError('forbidden', `Key '${key.name}' may not call provider '${provider.name}' (allowed: ${key.providers.join(', ')}).`), true);
  }

  const body = await call.readBody(deps.maxBodyBytes);
  if (body === null) return refuse(new ProxyError('payload_too_large', `Request body is larger than limits.max_body_bytes (${deps.maxBodyBytes} bytes).`), true);
  state.body = body;
  const json = parseJsonBody(body);
  const info = adapter.describe(call.method, path, json);
  state.info = info;

  if (key.models.length > 0 && info.model !== null && !key.models.includes(info.model)) {
    return refuse(new ProxyError('forbidden', `Key '${key.name}' may not use model '${info.model}' (allowed: ${key.models.join(', ')}).`), true);
  }
  if (!provider.apiKey) {
    return refuse(new ProxyError('upstream_unreachable', `No API key is configured for provider '${provider.name}': set providers.${provider.name}.api_key in the config or the provider's API key environment variable.`), true);
  }

  const reserved = deps.budgets.reserve({
    keyName: key.name,
    tags: state.tags,
    provider: provider.name,
    model: info.model,
    promptBytes: body.length,
    maxOutputTokens: info.maxOutputTokens,
    at: state.startedAt,
  });
  if (!reserved.ok) {
    deps.metrics.budgetBlocked();
    state.budget = budgetName(reserved.error.details);
    return refuse(reserved.error, true);
  }
  state.reservation = reserved.reservation;

  const prepared: PreparedRequest = info.metered && json !== undefined ? adapter.prepare(info, json, body) : { stripInjectedUsage: false };
  const headers = upstreamHeaders(call.headers);
  adapter.applyUpstreamAuth(headers, query, provider.apiKey);
  const url = upstreamUrl(provider.baseUrl, path, query.size === querySize ? rawQuery : query.toString());

  const controller = new AbortController();
  // Set once the response is handed to the edge: if the client leaves before the edge
  // starts reading the relay, the relay's own `finally` never runs, so record here.
  let abandonRelay: (() => void) | null = null;
  const onClientAbort = () => {
    controller.abort();
    abandonRelay?.();
  };
  if (call.signal.aborted) controller.abort();
  else call.signal.addEventListener('abort', onClientAbort, { once: true });

  let upstream;
  try {
    upstream = await deps.upstream.request({
      url,
      method: call.method,
      headers,
      body: call.method === 'GET' || call.method === 'HEAD' ? null : (prepared.body ?? body),
      signal: controller.signal,
      abort: (reason) => controller.abort(reason),
      connectTimeoutMs: provider.connectTimeoutMs,
      headersTimeoutMs: provider.headersTimeoutMs,
      bodyTimeoutMs: provider.idleTimeoutMs,
    });
  } catch (error) {
    call.signal.removeEventListener('abort', onClientAbort);
    if (call.signal.aborted) {
      state.error = 'client disconnected before the provider answered';
      finishCall(state, 'client_aborted', deps, monotonicMs());
      return { status: 499, headers: JSON_HEADERS, body: '' };
    }
    const kind = upstreamFailureKind(error);
    const reason = error instanceof UpstreamError ? error.message : 'connection failed';
    state.reachedProvider = !NEVER_SENT.has(reason);
    const proxyError = new ProxyError(
      kind,
      kind === 'upstream_timeout' ? `Provider '${provider.name}' did not answer in time (${reason}).` : `Provider '${provider.name}' is unreachable (${reason}).`,
    );
    state.status = proxyError.status;
    state.error = proxyError.message;
    finishCall(state, 'upstream_failed', deps, monotonicMs());
    deps.log.warn('upstream request failed', { provider: provider.name, reason });
    return errorResponse(adapter, proxyError);
  }

  state.status = upstream.status;
  const ok = upstream.status >= 200 && upstream.status < 300;
  const contentType = headerValue(upstream.headers['content-type']);
  const mode = relayMode(contentType, info.metered);
  const strips = ok && mode === 'sse' && prepared.stripInjectedUsage;
  const outcomeOf = (completed: boolean): CallOutcome => {
    if (completed) return ok ? 'ok' : 'upstream_error';
    return call.signal.aborted ? 'client_aborted' : 'upstream_failed';
  };
  if (mode === 'json' && isSmall(upstream.headers['content-length'])) return bufferedJson(upstream, state, adapter, deps, outcomeOf, () => call.signal.removeEventListener('abort', onClientAbort));
  let done = false;
  const onDone = (completed: boolean, error: unknown) => {
    if (done) return;
    done = true;
    call.signal.removeEventListener('abort', onClientAbort);
    if (!completed) {
      controller.abort();
      if (!state.error) state.error = call.signal.aborted ? 'client disconnected mid-response' : `upstream body failed: ${describeError(error)}`;
    }
    finishCall(state, outcomeOf(completed), deps, monotonicMs());
  };
  // A generator whose first next() never ran skips its `finally`; this wrapper makes
  // sure such a relay (client gone before the edge read anything) is still recorded.
  let relayStarted = false;
  const relayed = relay(upstream.body, { state, adapter, prepared: ok ? prepared : { stripInjectedUsage: false }, mode, onDone, clientGone: () => call.signal.aborted });
  const abandon = () => {
    if (!relayStarted) onDone(false, new Error('client disconnected'));
    return relayed.return(undefined);
  };
  abandonRelay = () => void abandon();
  const iterator: AsyncIterator<Uint8Array> = {
    next: () => {
      relayStarted = true;
      return relayed.next();
    },
    return: abandon,
  };
  return {
    status: upstream.status,
    headers: clientHeaders(upstream.headers, strips),
    body: { [Symbol.asyncIterator]: () => iterator },
  };
}

/** The name of the budget in a refusal's details (`budget.name`), if any. */
function budgetName(details: Record<string, unknown>): string | null {
  const budget = details.budget;
  return typeof budget === 'object' && budget !== null && typeof (budget as { name?: unknown }).name === 'string' ? (budget as { name: string }).name : null;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Stateless for whole-buffer decodes, so one instance serves every call. */
const DECODER = new TextDecoder();

function parseJsonBody(body: Uint8Array): unknown {
  if (body.length === 0) return undefined;
  const first = body[0];
  // Only objects and arrays are worth parsing; skip leading whitespace cheaply.
  if (first !== 0x7b && first !== 0x5b && first !== 0x20 && first !== 0x0a && first !== 0x0d && first !== 0x09) return undefined;
  try {
    return JSON.parse(DECODER.decode(body));
  } catch {
    return undefined;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export type { CallState };
