import { ANY_ADDRESS, connectHost, isLoopback } from '../lib/host.js';

/**
 * What `serve` says at start about who can reach it: a warning when it listens beyond this
 * machine over plain HTTP (metering keys and the admin token cross the network in clear
 * text) and when the admin token is short, and the address to print in the banner when it
 * listens on every interface (0.0.0.0 or ::, which clients cannot connect to by that name).
 */

/** Admin tokens shorter than this (characters) are warned about. */
export const MIN_ADMIN_TOKEN_CHARS = 16;

/** The start warnings for listening on `host` (with `tls` set or not) and the admin token (undefined: the admin API is off). */
export function exposureWarnings(host: string, tls: boolean, adminToken: string | undefined): string[] {
  const warnings: string[] = [];
  if (!tls && !isLoopback(host)) {
    warnings.push(`serve listens on ${host} without tls: metering keys and the admin token cross the network in clear text; set tls: in the config (cert and key files), or put a TLS proxy in front and listen on 127.0.0.1`);
  }
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_CHARS) {
    warnings.push(`the admin token is ${adminToken.length} characters long: anyone who guesses it can create keys and change budgets; use a random token of at least ${MIN_ADMIN_TOKEN_CHARS} characters (e.g. openssl rand -hex 24)`);
  }
  return warnings;
}

/**
 * The URL for the banner of a server at `url` bound to `host`: on every interface, the same
 * URL at the host `keys create` names too (lib/host.ts connectHost: localhost for an https
 * `url`, 127.0.0.1 for http) with a note saying so; otherwise `url` and an empty note.
 */
export function reachableUrl(url: string, host: string): { url: string; note: string } {
  if (!ANY_ADDRESS.has(host)) return { url, note: '' };
  const u = new URL(url);
  u.hostname = connectHost(host, u.protocol === 'https:');
  return { url: u.origin, note: " (listening on all interfaces; from other machines use this host's name or address)" };
}
