import { CallCancel } from '../lib/cancel.js';
import { monotonicMs } from '../lib/clock.js';
import { ProxyError } from '../lib/errors.js';
import type { ProviderRuntime } from '../providers/registry.js';
import type { PreparedRequest, ProviderAdapter } from '../providers/types.js';
import type { ResolvedKey } from './auth.js';
import { bodyTooLargeError } from './body-limit.js';
import { budgetRequestOf } from './budget-request.js';
import { CallRecorder } from './call-recorder.js';
import { describePath, describeRequest, NO_BODY, type Refusal } from './describe-request.js';
import { watchDeparture } from './departure.js';
import type { ProxyDeps } from './deps.js';
import { upstreamHeaders } from './forward.js';
import { NOT_PREPARED, respond } from './respond.js';
import { mergeQuery, parseRoute, upstreamUrl } from './route.js';
import { mergeTags, parseTags, type Tags } from './tags.js';
import { UpstreamError, type IncomingCall, type OutgoingResponse } from './types.js';
import { baseUrlOrigin, upstreamFailure } from './upstream-failure.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** Methods a provider API can take; anything else (TRACE, CONNECT, WebDAV…) is refused with 405. */
const PROXIED_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

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
export function createHandler<R>(deps: ProxyDeps<R>): (call: IncomingCall) => Promise<OutgoingResponse> {
  const fallbackAdapter = deps.providers.get('openai')?.adapter ?? [...deps.providers.values()][0]?.adapter;
  if (!fallbackAdapter) throw new Error('no provider adapters configured');

  return async (call) => {
    const route = parseRoute(call.url);
    if (!route.ok) {
      const adapter = (route.error.provider === undefined ? undefined : deps.providers.get(route.error.provider)?.adapter) ?? fallbackAdapter;
      return errorResponse(adapter, new ProxyError('bad_request', `Invalid request path: ${route.error.message}.`));
    }
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

/**
 * One provider call, start to end. The work between its three waits (the request body,
 * a budget decision that has to wait, the upstream's headers) lives in small synchronous
 * functions: the JIT compiles each on its own, and a path one of them takes for the first
 * time (a refusal, a stream after many JSON answers) throws away only that function's
 * optimised code, not the whole call's (`bench/README.md`, "Call path").
 */
async function proxyCall<R>(call: IncomingCall, provider: ProviderRuntime, path: string, rawQuery: string, deps: ProxyDeps<R>): Promise<OutgoingResponse> {
  const adapter = provider.adapter;
  const recorder = new CallRecorder(deps, provider.name, deps.clock(), monotonicMs(), call.headers);

  const query = rawQuery === '' ? NO_QUERY : new URLSearchParams(rawQuery);
  const querySize = query.size;
  const secret = adapter.clientKey(call.headers, query);
  // A miss looks at the store once more (the key may have been created a moment ago by `keys
  // create`); a known key takes no await here, so the call path keeps no extra promise.
  let key = secret ? deps.keys.resolve(secret) : null;
  if (secret && key === null && deps.keys.resolveFresh !== undefined) key = (await deps.keys.resolveFresh(secret)) ?? null;
  const caller = identifyCaller(call, provider, secret, key, deps, recorder);
  if ('refused' in caller) return refuseUnread(recorder, adapter, call.method, path, caller);

  let body = await call.readBody(deps.maxBodyBytes);
  if (body === null) return refuseUnread(recorder, adapter, call.method, path, { refused: bodyTooLargeError(deps.maxBodyBytes), record: true });
  const encoding = call.headers['content-encoding'];
  if (encoding !== undefined) {
    // Read as the provider will: the decoded body is described, checked and forwarded.
    // Loaded on first use: node:zlib stays out of a proxy whose clients send plain bodies.
    const { decodeRequestBody } = await import('./body-encoding.js');
    const decoded = decodeRequestBody(body, encoding, deps.maxBodyBytes);
    if (!decoded.ok) return refuseUnread(recorder, adapter, call.method, path, { refused: decoded.error, record: true });
    body = decoded.value;
  }
  const described = describeRequest(call, provider, path, body, caller.key, recorder);
  if ('refused' in described) return refuse(recorder, adapter, described);
  const { json, info, apiKey } = described;

  const decisionStart = performance.now();
  const limitParam = info.maxOutputTokens === null ? adapter.outputLimitParam?.(info) : undefined;
  const gated = deps.budgets.reserve(budgetRequestOf(caller.key.name, caller.tags, provider.name, info, body.length, deps, recorder.startedAt, limitParam), call.signal);
  // Decided at once in the common case; only a call waiting for budget room pays a promise hop.
  const admission = isThenable(gated) ? await gated : gated;
  deps.metrics.budgetDecision((performance.now() - decisionStart) / 1000);
  if (!admission.ok) {
    if (admission.aborted === true) {
      recorder.fail('client_aborted', { status: 0, error: 'client disconnected while waiting for budget room', reachedProvider: false });
      return { status: 499, headers: JSON_HEADERS, body: '' };
    }
    deps.metrics.budgetBlocked(admission.error.kind);
    return refuse(recorder, adapter, { refused: admission.error, record: true });
  }
  recorder.hold(admission.reservation);

  let prepared: PreparedRequest;
  let headers: Record<string, string>;
  let url: string;
  try {
    prepared = info.metered && json !== undefined ? adapter.prepare(info, json, body) : NOT_PREPARED;
    headers = upstreamHeaders(call.headers);
    if (info.metered) adapter.stripUnmeterableQuery?.(query);
    // A keyless provider (ProviderRuntime.keyless) gets no credential; the client's never leave (forward.ts).
    if (apiKey !== null) adapter.applyUpstreamAuth(headers, query, apiKey);
    const sent = query.size === querySize ? rawQuery : query.toString();
    url = upstreamUrl(provider.baseUrl, path, provider.baseQuery === undefined ? sent : mergeQuery(provider.baseQuery, sent));
  } catch (error) {
    // Nothing was sent: the call is recorded as refused and its reservation released (a
    // body nested too deeply to serialise again once overflowed the stack here, and left both).
    deps.log.warn('request failed inside the proxy before it was sent', { provider: provider.name, reason: describeError(error) });
    return refuse(recorder, adapter, { refused: new ProxyError('internal', `tokometer could not prepare this request for '${provider.name}' (${describeError(error)}).`), record: true });
  }

  const cancel = new CallCancel();
  // Set once a streamed body is handed to the edge: if the client leaves before the edge
  // starts reading it, the relay's own `finally` never runs, so it is abandoned from here.
  // A relay stops the upstream itself, after metering what the upstream already sent (aborting
  // the request first would drop that), and the request is aborted when the relay ends.
  // A stream whose client leaves before its answer is stopped, and so is a request still
  // connecting (CallCancel.connecting: nothing written, nothing billed). Any other request is
  // billed all the same (a provider that has the whole request generates the whole answer, and
  // work it runs detached, RequestInfo.runsDetached, goes on): it is not aborted, so its answer
  // (or the id the BackgroundWatch follows) still arrives, under the provider's timeouts, and
  // is metered (respond.ts); shutdown stops it at the grace period's end (DepartedCalls).
  let abandonRelay: (() => void) | null = null;
  const onClientLeft = () => {
    if (abandonRelay !== null) abandonRelay();
    else if (cancel.connecting || (info.streaming && info.runsDetached !== true)) cancel.abort();
    else deps.departed?.add(cancel, recorder);
  };
  const stopWatching = watchDeparture(call.signal, onClientLeft, !info.streaming);

  let upstream;
  try {
    upstream = await deps.upstream.request({
      url,
      method: call.method,
      headers,
      body: call.method === 'GET' || call.method === 'HEAD' ? null : (prepared.body ?? body),
      cancel,
      connectTimeoutMs: provider.connectTimeoutMs,
      headersTimeoutMs: provider.headersTimeoutMs,
      bodyTimeoutMs: provider.idleTimeoutMs,
    });
  } catch (error) {
    stopWatching();
    return upstreamFailed(error, call, provider, recorder, deps);
  }
  const answer = respond(upstream, { call, provider, info, prepared, recorder, cancel, stopWatching, log: deps.log, background: deps.background, streams: deps.streams, url });
  abandonRelay = answer.abandon;
  return answer.response;
}

/** Answers `r.refused` in the provider's shape and records the call, unless `r.record` is false (no valid key identified it, or records are refused). */
function refuse<R>(recorder: CallRecorder<R>, adapter: ProviderAdapter, r: Refusal): OutgoingResponse {
  const response = errorResponse(adapter, r.refused);
  // The record carries the status the client got: an adapter may answer another one (Cohere: 402 for a budget's 429).
  if (r.record) recorder.refuse(r.refused, response.status);
  return response;
}

/** `refuse` for a call refused before its body was described: a recorded one carries what its path says (describePath: endpoint, Gemini's model). */
function refuseUnread<R>(recorder: CallRecorder<R>, adapter: ProviderAdapter, method: string, path: string, r: Refusal): OutgoingResponse {
  if (r.record) recorder.describe(describePath(adapter, method, path), NO_BODY);
  return refuse(recorder, adapter, r);
}

/** A refusal never recorded (no key identified the call, or the store refuses records): counted in /metrics only. */
function unrecorded(deps: ProxyDeps<unknown>, provider: ProviderRuntime, refused: ProxyError): Refusal {
  deps.metrics.unrecorded(provider.name, refused.status);
  return { refused, record: false };
}

/** Who is calling, given the secret the client sent and the key it resolved to (null: none): the metering key, the tags the call is recorded with, the key's provider allow-list. */
function identifyCaller<R>(
  call: IncomingCall,
  provider: ProviderRuntime,
  secret: string | null | undefined,
  key: ResolvedKey | null | undefined,
  deps: ProxyDeps<R>,
  recorder: CallRecorder<R>,
): { key: ResolvedKey; tags: Tags } | Refusal {
  if (!secret) return unrecorded(deps, provider, new ProxyError('unauthorized', missingKeyMessage(provider)));
  if (!key) return unrecorded(deps, provider, new ProxyError('unauthorized', 'Invalid or revoked metering key. Create one with `tokometer keys create NAME`.'));
  const refusal = deps.refusal?.();
  if (refusal) return unrecorded(deps, provider, new ProxyError('unavailable', refusal));

  const tagsHeader = call.headers['x-metering-tags'];
  const parsedTags = parseTags(tagsHeader);
  if (!parsedTags.ok) {
    if (deps.tagsOnInvalid === 'reject') {
      recorder.identify(key.name, { ...key.tags });
      return { refused: new ProxyError('bad_request', parsedTags.error), record: true };
    }
    // A header parseTags refused was sent: tagsHeader is a string.
    deps.tagsDropped?.dropped(key.name, parsedTags.error, tagsHeader as string);
  }
  const tags = mergeTags(parsedTags.ok ? parsedTags.value : {}, key.tags);
  recorder.identify(key.name, tags);
  if (key.providers.length > 0 && !key.providers.includes(provider.name)) {
    return { refused: new ProxyError('forbidden', `Key '${key.name}' may not call provider '${provider.name}' (allowed: ${key.providers.join(', ')}).`), record: true };
  }
  return { key, tags };
}

/** The 401 text for a call that brought no metering key: where tokometer looked, when the adapter says, and what to send. */
function missingKeyMessage(provider: ProviderRuntime): string {
  const places = provider.adapter.clientKeyPlaces;
  const looked = places === undefined ? '' : ` (looked in ${places})`;
  return `Missing metering key${looked}. Send your tokometer key (mk_…) the way the ${provider.name} SDK sends its API key.`;
}

/** The upstream request failed before its headers: records why and answers in the provider's shape (499 when the client left first). */
function upstreamFailed<R>(error: unknown, call: IncomingCall, provider: ProviderRuntime, recorder: CallRecorder<R>, deps: ProxyDeps<R>): OutgoingResponse {
  const origin = baseUrlOrigin(provider.baseUrl);
  const failure = upstreamFailure(provider.name, error, 'request', origin);
  if (call.signal.aborted) {
    // Left while the proxy was still connecting: nothing was sent, nothing is charged.
    recorder.fail('client_aborted', { status: 0, error: 'client disconnected before the provider answered', reachedProvider: failure.reachedProvider });
    return { status: 499, headers: JSON_HEADERS, body: '' };
  }
  const response = errorResponse(provider.adapter, failure.error);
  // The record carries the status the client got, as the adapter rendered it.
  recorder.fail('upstream_failed', { status: response.status, error: failure.error.message, reachedProvider: failure.reachedProvider, ...(failure.unanswered === true ? { generated: 'unanswered' as const } : {}) });
  deps.log.warn('upstream request failed', { provider: provider.name, origin, reason: error instanceof UpstreamError ? error.message : 'connection failed' });
  return response;
}

/**
 * The query of every call that has none: one shared instance instead of a
 * URLSearchParams per call. Adapters only read and delete (Gemini's `key`), which leave
 * it empty; adding to it would leak into other calls, so those methods throw.
 */
const NO_QUERY: URLSearchParams = new (class EmptyQuery extends URLSearchParams {
  override append(): void {
    throw new Error('the shared empty query is read-only');
  }
  override set(): void {
    throw new Error('the shared empty query is read-only');
  }
})();

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
