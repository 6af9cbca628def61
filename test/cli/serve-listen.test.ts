import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenFailure, namingListenFailures, type ListenSource } from '../../src/cli/serve-listen.js';
import { ConfigError } from '../../src/lib/errors.js';
import { startNodeServer } from '../../src/server/node.js';
import type { ServeOptions } from '../../src/server/types.js';

/** serve's failures to listen name the config field (or flag) and its value. */

const at = (over: Partial<ListenSource> = {}): ListenSource => ({ host: '127.0.0.1', port: 8787, hostField: 'listen.host', portField: 'listen.port', ...over });
const errno = (code: string, syscall = 'listen') => Object.assign(new Error(`${syscall} ${code}`), { code, syscall });

let held: Server | undefined;
afterEach(() => {
  held?.close();
  held = undefined;
});

describe('listenFailure', () => {
  it('a host that does not resolve: ConfigError naming listen.host and the value', async () => {
    const e = await listenFailure(errno('ENOTFOUND', 'getaddrinfo'), at({ host: 'nope.invalid' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toMatch(/^listen\.host "nope\.invalid": the name does not resolve/);
  });

  it('Bun says EADDRINUSE for a host that does not resolve: the lookup tells them apart', async () => {
    const e = await listenFailure(errno('EADDRINUSE'), at({ host: 'nope.invalid' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).message).toContain('listen.host "nope.invalid"');
  });

  it('a port in use: a runtime failure (exit 1) naming the port, or the flag that chose it', async () => {
    const e = (await listenFailure(errno('EADDRINUSE'), at({ port: 9999, portField: '--port' }))) as Error;
    expect(e).not.toBeInstanceOf(ConfigError);
    expect(e.message).toMatch(/^--port 9999 \(on listen\.host "127\.0\.0\.1"\): the address is already in use/);
  });

  it('EACCES names the port; EADDRNOTAVAIL the host; anything else is left alone', async () => {
    expect(((await listenFailure(errno('EACCES'), at({ port: 80 }))) as Error).message).toMatch(/^listen\.port 80: permission denied/);
    expect(((await listenFailure(errno('EADDRNOTAVAIL'), at({ host: '10.254.254.254' }))) as Error).message).toMatch(/^listen\.host "10\.254\.254\.254": not an address of this machine/);
    const other = new Error('boom');
    expect(await listenFailure(other, at())).toBe(other);
  });
});

describe('namingListenFailures over the Node edge', () => {
  it('turns the EADDRINUSE of a port another process holds into a message naming listen.port', async () => {
    held = createServer();
    await new Promise<void>((resolve) => held!.listen(0, '127.0.0.1', resolve));
    const port = (held.address() as { port: number }).port;
    const start = namingListenFailures(startNodeServer, at({ port }));
    const options: ServeOptions = { host: '127.0.0.1', port, handler: async () => ({ status: 200, headers: {}, body: null }), onError: () => undefined };
    await expect(start(options)).rejects.toThrow(`listen.port ${port} (on listen.host "127.0.0.1"): the address is already in use`);
  });
});
