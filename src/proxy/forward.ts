/**
 * Builds the headers sent upstream from the client's headers: hop-by-hop headers,
 * the client's credentials and tokometer's own headers never leave the proxy, nor do
 * the body's framing and coding (the body forwarded is decoded; the edge sets its length).
 */
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  // The handler decodes every encoded body it forwards (body-encoding.ts) or refuses it.
  'content-encoding',
  'expect',
  'accept-encoding',
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'api-key',
  'x-metering-tags',
  'cookie',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  // The method the proxy metered is the one the provider runs: Google APIs (and some frameworks)
  // run a request as the method these name, so a PUT forwarded unmetered would run as a POST
  // :generateContent (docs.cloud.google.com/apis/docs/system-parameters).
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  // A Google response field mask may leave the usage out of an answer the provider bills.
  'x-goog-fieldmask',
]);

/**
 * The headers a message's `Connection` names: hop-by-hop too, never forwarded (RFC 9110
 * §7.6.1: `Connection: keep-alive, x-foo` makes `x-foo` one). Lower-case, like the maps here.
 */
function connectionOptions(connection: string | string[] | undefined): Set<string> | null {
  // What nearly every client sends names no other header: no allocation on the request path.
  if (connection === undefined || connection === 'keep-alive' || connection === 'close' || connection === 'Keep-Alive') return null;
  const names = (Array.isArray(connection) ? connection.join(',') : connection).split(',').map((n) => n.trim().toLowerCase());
  return new Set(names.filter((n) => n !== ''));
}

/** Copies the client's headers that may reach the provider. Auth is added by the adapter afterwards. */
export function upstreamHeaders(client: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const named = connectionOptions(client.connection);
  for (const name in client) {
    if (!DROPPED_REQUEST_HEADERS.has(name) && !named?.has(name)) out[name] = client[name] as string;
  }
  // Uncompressed responses let the proxy read usage without inflating anything.
  out['accept-encoding'] = 'identity';
  return out;
}

const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'proxy-authenticate',
]);

/**
 * Copies the provider's response headers for the client. With `bodyChanges` (a metered
 * stream, whose usage chunk may be stripped or an error frame appended when it breaks)
 * Content-Length is dropped too and the edge frames the body itself; so it is
 * when the provider sent a Transfer-Encoding beside it, which overrides it (RFC 9112 §6.3:
 * an intermediary must remove it).
 */
export function clientHeaders(upstream: Readonly<Record<string, string | string[]>>, bodyChanges: boolean): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const named = connectionOptions(upstream.connection);
  for (const name in upstream) {
    if (!DROPPED_RESPONSE_HEADERS.has(name) && !named?.has(name)) out[name] = upstream[name] as string | string[];
  }
  if (bodyChanges || upstream['transfer-encoding'] !== undefined) delete out['content-length'];
  return out;
}
