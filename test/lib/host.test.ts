import { describe, expect, it } from 'vitest';
import { connectHost, isLoopback } from '../../src/lib/host.js';

/**
 * lib/host.ts isLoopback: the one definition of "only this machine" that serve's start
 * warnings use (plain HTTP, and no admin token, beyond loopback); connectHost: the host
 * serve's banner and keys create's example URL both name.
 */
describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.0.0.2', '127.255.255.254', 'localhost', 'LOCALHOST', 'app.localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopback(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '[::]', '10.0.0.1', '128.0.0.1', '1.127.0.0.1', 'localhost.example.com', 'mylocalhost', 'example.com', '::2'])('%s is not', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
});

describe('connectHost', () => {
  it('names every-interface addresses localhost with tls and 127.0.0.1 without, and any other host as it is', () => {
    for (const any of ['0.0.0.0', '::', '[::]']) {
      expect(connectHost(any, true)).toBe('localhost');
      expect(connectHost(any, false)).toBe('127.0.0.1');
    }
    expect(connectHost('127.0.0.1', true)).toBe('127.0.0.1');
    expect(connectHost('proxy.internal', false)).toBe('proxy.internal');
    expect(connectHost('::1', true)).toBe('::1');
  });
});
