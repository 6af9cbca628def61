import { ProxyError } from '../lib/errors.js';
import { UpstreamError } from './types.js';

/**
 * Where the provider failed a call:
 * - `request`: before its answer (status and headers) arrived;
 * - `response`: while sending a body the proxy reads whole before answering (nothing sent yet);
 * - `stream`: after the client already got the status and part of the body.
 */
export type FailurePhase = 'request' | 'response' | 'stream';

/** The error a client sees when the provider fails, and whether the provider can have seen the request. */
export interface UpstreamFailure {
  error: ProxyError;
  /** False when the request can never have reached the provider (connection refused, DNS failure): nothing was billed. */
  reachedProvider: boolean;
  /** True when the provider had the whole request and did not answer within header_timeout_ms: it most likely generated its answer all the same. */
  unanswered?: boolean;
}

/** Connection errors after which the provider cannot have seen (or billed) the request. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_INVALID_ARG']);
/** Timeouts waiting for the answer's headers after the whole request was written (undici's code, the Bun clients' message); a connect timeout is never one. */
const HEADERS_TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'headers timeout']);
/** A provider certificate that did not verify (OpenSSL's and Node's codes): the TLS handshake failed, so no request was sent. */
const CERTIFICATE_REFUSED = /CERT|UNABLE_TO_VERIFY|SELF_SIGNED|ALTNAME|HOSTNAME_MISMATCH/;

/** The error kind for an upstream failure: a timeout (504) or anything else (502). */
export function upstreamFailureKind(error: unknown): 'upstream_timeout' | 'upstream_unreachable' {
  return error instanceof UpstreamError && error.failure === 'timeout' ? 'upstream_timeout' : 'upstream_unreachable';
}

/**
 * `scheme://host[:port]` of a provider's base URL: where a failed call went, without the user
 * info, path or query a base URL may carry a key in. Null when `baseUrl` does not parse.
 */
export function baseUrlOrigin(baseUrl: string): string | null {
  try {
    const origin = new URL(baseUrl).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The one place upstream-failure errors are built: the kind (502 or 504) from the error,
 * the message from the phase. Messages never carry request headers (UpstreamError never
 * does), so no provider key can leak into a response or a record. `origin` (baseUrlOrigin)
 * names where a call that failed before its answer went.
 */
export function upstreamFailure(provider: string, error: unknown, phase: FailurePhase, origin: string | null = null): UpstreamFailure {
  const kind = upstreamFailureKind(error);
  if (phase === 'request') {
    const reason = error instanceof UpstreamError ? error.message : 'connection failed';
    const who = origin === null ? `Provider '${provider}'` : `Provider '${provider}' at ${origin}`;
    const message = kind === 'upstream_timeout' ? `${who} did not answer in time (${reason}).` : `${who} is unreachable (${reason}).`;
    const neverSent = (error instanceof UpstreamError && error.neverSent) || NEVER_SENT.has(reason) || CERTIFICATE_REFUSED.test(reason);
    const unanswered = kind === 'upstream_timeout' && !neverSent && HEADERS_TIMEOUT.has(reason);
    return unanswered ? { error: new ProxyError(kind, message), reachedProvider: true, unanswered } : { error: new ProxyError(kind, message), reachedProvider: !neverSent };
  }
  if (phase === 'response') {
    const reason = error instanceof Error ? error.message : String(error);
    return { error: new ProxyError(kind, `Provider '${provider}' failed while sending its response (${reason}).`), reachedProvider: true };
  }
  const reason = error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
  return { error: new ProxyError(kind, `The provider's stream failed before it finished (${reason}); tokens used so far may still be billed.`), reachedProvider: true };
}
