import { isIP } from 'node:net';

/**
 * What a server may bind: an IPv4 or IPv6 address as written (no brackets, no port), or a
 * hostname of RFC 1123 labels (letters, digits and hyphens, 1-63 characters each, not
 * starting or ending with a hyphen; at most 253 characters; one trailing dot allowed). A
 * name whose last label is all digits is a mistyped address (`300.1.1.1`), not a hostname.
 * Says nothing about whether the name resolves: that is only known when binding.
 */
export function isHostOrIp(value: string): boolean {
  if (isIP(value) !== 0) return true;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (!labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l))) return false;
  return !/^\d+$/.test(labels[labels.length - 1] as string);
}

/** The rule in words, for messages: `… is not ${HOST_RULE}`. */
export const HOST_RULE = 'a hostname or IP address (e.g. 127.0.0.1, 0.0.0.0, ::1, localhost)';

/** Addresses a server bound to them answers on every interface, but a client cannot connect to by that name. */
export const ANY_ADDRESS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]']);

/**
 * The host a client on this machine connects to a server bound to `host` by (serve's banner,
 * `keys create`'s example URL): `host` itself, or for an every-interface address (ANY_ADDRESS)
 * `localhost` with `tls` (the name a development certificate, mkcert's or a self-signed one,
 * most likely carries, so the client's check of the certificate passes) and `127.0.0.1`
 * without (no name lookup, no guess between IPv4 and IPv6).
 */
export function connectHost(host: string, tls: boolean): string {
  if (!ANY_ADDRESS.has(host)) return host;
  return tls ? 'localhost' : '127.0.0.1';
}

/**
 * Whether a server bound to `host` (as bound or written in a URL: brackets allowed, any case)
 * answers only this machine: `localhost` and names under `.localhost` (RFC 6761), 127.0.0.0/8,
 * `::1` and `::ffff:127.0.0.1`. Every-interface addresses (ANY_ADDRESS) are not loopback.
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::ffff:127.0.0.1';
}
