import type { CallCancel } from '../lib/cancel.js';
import type { BackgroundWatch } from './background-watch.js';
import type { ProviderRuntime } from '../providers/registry.js';
import type { PreparedRequest, RequestInfo } from '../providers/types.js';
import { bufferedJson, isSmall } from './buffered-json.js';
import type { CallRecorder } from './call-recorder.js';
import { clientHeaders } from './forward.js';
import { keyMaskFor, maskingSource } from './key-mask.js';
import type { Logger } from './log.js';
import { relayBody, relayMode, type OnFinished } from './relay.js';
import { SHUTTING_DOWN, type RunningStreams } from './running-streams.js';
import type { IncomingCall, OutgoingResponse, StreamBody, UpstreamResponse } from './types.js';

/** A request sent as the client sent it. */
export const NOT_PREPARED: PreparedRequest = Object.freeze({ stripInjectedUsage: false });

/** What `respond` needs of the call besides the upstream response. */
export interface Answering<R> {
  call: IncomingCall;
  provider: ProviderRuntime;
  info: RequestInfo;
  prepared: PreparedRequest;
  recorder: CallRecorder<R>;
  cancel: CallCancel;
  /** Stops listening for the client's departure (the call has finished). */
  stopWatching: () => void;
  log: Logger;
  /** The URL the request was sent to (a background response is read next to it). */
  url: string;
  /** Finishes calls whose answer names work still pending (background responses); absent = recorded at once. */
  background: BackgroundWatch | undefined;
  /** Where a relayed body is registered while it runs, for the shutdown to end it (running-streams.ts); absent = never. */
  streams: RunningStreams | undefined;
}

/**
 * The client's response from the upstream's: a small JSON body read whole, anything else
 * relayed as it arrives. `abandon` cancels a relayed body the edge never started reading.
 */
export function respond<R>(upstream: UpstreamResponse, a: Answering<R>): { response: OutgoingResponse | Promise<OutgoingResponse>; abandon: (() => void) | null } {
  const { call, provider, info, recorder, cancel } = a;
  const adapter = provider.adapter;
  const ok = upstream.status >= 200 && upstream.status < 300;
  // A Gemini cache creation is not metered, but its answer (the cache's size) is read as a metered one is.
  const contentType = headerValue(upstream.headers['content-type']);
  const mode = relayMode(contentType, info.metered || info.cacheLifecycle?.op === 'create', ok && info.ndjsonStream === true);
  const clientGone = () => call.signal.aborted;
  // Never throws (OnFinished): a relay that ended in a throw would cut a stream the client
  // had whole. The recorder already records whatever pricing and the budget do; this catches the rest.
  // Set when the client left before the answer came: it is read to its end, never sent (drainDetached).
  let drained = false;
  const onFinished: OnFinished = (completed, error, seen, status, at, unsent) => {
    try {
      a.stopWatching();
      // Work the provider goes on with after this answer (a background response, queued, or
      // its stream cut before the end) is recorded when it ends, with the usage of its end.
      const background = status >= 200 && status < 300 ? a.background : undefined;
      const pendingId = background === undefined ? undefined : seen.observed?.pendingId;
      // The request is released when the body did not end whole, and when a client that had
      // the whole answer left all the same.
      if (!completed || call.signal.aborted) cancel.abort();
      if (background && pendingId !== undefined) return background.follow(pendingId, recorder, provider, a.url, status, seen, at);
      if (completed) return unsent === true || drained ? recorder.completeUnsent(status, seen, at) : recorder.complete(status, seen, at);
      // The stream carried the provider's own error (Observed.failed): the provider failed the
      // call, whoever closed first (an SDK raises the error as it reads it and disconnects).
      const failed = seen.observed?.failed;
      if (failed !== undefined) recorder.fail('upstream_failed', { status, error: failed, seen }, at);
      // A client that left first is recorded so, the shutdown's cut noted all the same (CallRecorder.fail: graceOver).
      else if (call.signal.aborted) recorder.fail('client_aborted', { status, error: 'client disconnected mid-response', seen }, at);
      // Ended by the shutdown's grace period (relay.ts halt), recorded as a non-streamed call cut then is (CallRecorder.fail).
      else if (error === SHUTTING_DOWN) recorder.fail('client_aborted', { status, error: shutdownNote(mode === 'sse' && adapter.streamErrorFrame !== undefined), seen, generated: 'shutdown' }, at);
      // A 2xx body that broke was generated (a non-streamed answer: whole) before it was sent (CallRecorder.fail).
      else recorder.fail('upstream_failed', { status, error: `upstream body failed: ${error instanceof Error ? error.message : String(error)}`, seen, ...(ok ? { generated: 'cut' as const } : {}) }, at);
    } catch (failure) {
      a.log.error('recording a call failed', { provider: provider.name, reason: failure instanceof Error ? failure.message : String(failure) });
    }
  };
  // An error answer may quote the provider key the proxy sent: masked before the client sees it (key-mask.ts).
  const keyMask = ok ? null : keyMaskFor(provider.apiKey);
  if (mode === 'json' && isSmall(upstream.headers['content-length'])) {
    return { response: bufferedJson(upstream, { provider: provider.name, info, adapter, status: upstream.status, clientGone, onFinished, log: a.log, keyMask }), abandon: null };
  }
  // A metered SSE body may differ from the provider's: a stripped usage chunk, or the error
  // frame the relay appends when the stream breaks; an error answer, by its masked key. The
  // edge then frames it (no Content-Length).
  const bodyMayChange = mode === 'sse' || keyMask !== null;
  const relayed = relayBody(keyMask === null ? upstream.body : maskingSource(upstream.body, keyMask), { provider: provider.name, info, adapter, prepared: ok ? a.prepared : NOT_PREPARED, mode, contentType, status: upstream.status, idleMs: provider.idleTimeoutMs, clientGone, onFinished, running: a.streams });
  // Gone before its answer: a stream was stopped then (handler.ts); any other answer is billed and read on.
  if (call.signal.aborted && (!info.streaming || info.runsDetached === true)) {
    drained = true;
    return { response: drainDetached(relayed), abandon: null };
  }
  return { response: { status: upstream.status, headers: clientHeaders(upstream.headers, bodyMayChange), body: relayed }, abandon: () => relayed.cancel() };
}

/**
 * A relayed answer (a stream, or JSON too large to buffer) whose client left before it came,
 * to a request the provider bills all the same (a non-streamed one, or detached work:
 * RequestInfo.runsDetached): no edge will read it, so it is read here to its end with nothing
 * sent, and its usage, or the id of the work still running, is recorded as the relay records
 * any body (`onFinished` above). Resolves (499) once it is read, so the call counts as in
 * flight until then (a shutdown waits for it); the relay's idle timeout bounds it.
 */
async function drainDetached(relayed: StreamBody): Promise<OutgoingResponse> {
  await relayed.pump(() => undefined).catch(() => undefined);
  return { status: 499, headers: { 'content-type': 'application/json' }, body: '' };
}

/** The record's error for a body the shutdown ended with its client there: `framed`, a stream given the provider's error frame (relay.ts); else the body was cut. */
function shutdownNote(framed: boolean): string {
  return framed ? 'tokometer shut down: the stream was ended with an error frame when the shutdown grace period ended' : 'tokometer shut down: the answer was cut when the shutdown grace period ended';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
