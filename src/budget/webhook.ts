import { basicAuthFrom } from '../lib/url-credentials.js';
import type { PostJson } from './alerts.js';

/** ms a webhook POST may take before it counts as failed (and is retried). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs a JSON body with the global fetch (present on Node 20+ and Bun), so alert delivery
 * needs no runtime-specific client. Resolves to the HTTP status (the body is discarded);
 * rejects on network failures and timeouts, which the AlertNotifier retries. Credentials in
 * the URL (`https://user:pass@host/hook`) go as basic auth: fetch refuses such a URL.
 */
export const fetchPostJson: PostJson = async (url, body) => {
  const target = basicAuthFrom(url);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'tokometer-alerts' };
  if (target.authorization !== null) headers.authorization = target.authorization;
  const res = await fetch(target.url, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
};
