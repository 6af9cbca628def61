import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConfigError } from '../lib/errors.js';
import type { StartServer } from '../server/types.js';

/** Where serve's address came from, for messages: the config field or the flag, and its value. */
export interface ListenSource {
  host: string;
  port: number;
  /** `listen.host`, or `--host` when the flag chose the address. */
  hostField: string;
  /** `listen.port`, or `--port` when the flag chose the port. */
  portField: string;
}

/**
 * The error serve ends with when it cannot listen: one naming the field (`listen.host`,
 * `listen.port` or the flag) and its value instead of a bare `getaddrinfo ENOTFOUND x`
 * or `EADDRINUSE`. A host that does not resolve or is no address of this machine, and a
 * port it may not bind, are a ConfigError (exit 2); a port another process holds is a
 * runtime failure (exit 1). Bun says EADDRINUSE ("Is port 0 in use?") also for a host
 * that does not resolve, so for a hostname that answer is checked with a lookup first.
 * Any other error is returned as it is.
 */
export async function listenFailure(error: unknown, at: ListenSource): Promise<unknown> {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const host = `${at.hostField} ${JSON.stringify(at.host)}`;
  const port = `${at.portField} ${at.port}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return unresolved(host, code);
  if (code === 'EADDRNOTAVAIL') return new ConfigError(`${host}: not an address of this machine, so serve cannot listen on it (EADDRNOTAVAIL); use 127.0.0.1, 0.0.0.0 (every interface) or one of this machine's addresses`);
  if (code === 'EACCES') return new ConfigError(`${port}: permission denied to listen on it (EACCES); ports below 1024 need privileges, choose a higher port`);
  if (code === 'EADDRINUSE') {
    if (isIP(at.host) === 0 && !(await resolves(at.host))) return unresolved(host, 'ENOTFOUND');
    return new Error(`${port} (on ${host}): the address is already in use (EADDRINUSE); another process listens there: stop it or choose another port`);
  }
  return error;
}

/** `start`, with its failures to listen turned into listenFailure's errors (only the server's start: other failures of serve keep their own words). */
export function namingListenFailures(start: StartServer, at: ListenSource): StartServer {
  return (options) =>
    start(options).catch(async (error: unknown) => {
      throw await listenFailure(error, at);
    });
}

function unresolved(host: string, code: string): ConfigError {
  return new ConfigError(`${host}: the name does not resolve to an address (${code}); use an IP address such as 127.0.0.1 or a name this machine can look up`);
}

async function resolves(host: string): Promise<boolean> {
  try {
    await lookup(host);
    return true;
  } catch {
    return false;
  }
}
