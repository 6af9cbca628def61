/**
 * URLs that may carry a credential in their user-info part (`https://user:pass@host/…`):
 * alert webhooks, OpenTelemetry collectors. Such a URL is a secret as a whole, so it is
 * never logged as written, and fetch refuses it (with the whole URL in its error).
 */

/** The URL without user:password, for logs and messages; `(invalid URL)` when it does not parse. */
export function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * The URL to request and the `Authorization: Basic` header value its user-info stands for
 * (null when it has none). Percent-escapes in the user-info are decoded first, as a browser
 * does before sending basic auth.
 */
export function basicAuthFrom(url: string): { url: string; authorization: string | null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { url, authorization: null };
  }
  if (u.username === '' && u.password === '') return { url, authorization: null };
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
}
