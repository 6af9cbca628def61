import { describe, expect, it } from 'vitest';
import { bunUpstreamClient } from '../../src/edges.js';

describe('which upstream client the Bun edge uses', () => {
  it('its own sockets by default', () => {
    expect(bunUpstreamClient({})).toBe('socket');
    expect(bunUpstreamClient({ TOKOMETER_UPSTREAM_CLIENT: 'socket', NO_PROXY: '*' })).toBe('socket');
  });

  it('fetch when asked, or when an HTTP proxy is set and the sockets were not asked for (only fetch goes through one)', () => {
    expect(bunUpstreamClient({ TOKOMETER_UPSTREAM_CLIENT: 'fetch' })).toBe('fetch');
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) expect(bunUpstreamClient({ [name]: 'http://proxy.internal:3128' })).toBe('fetch');
    expect(bunUpstreamClient({ HTTPS_PROXY: '' })).toBe('socket');
    expect(bunUpstreamClient({ HTTPS_PROXY: 'http://proxy.internal:3128', TOKOMETER_UPSTREAM_CLIENT: 'socket' })).toBe('socket');
  });

  it('refuses a value it does not know, naming the two it takes', () => {
    expect(() => bunUpstreamClient({ TOKOMETER_UPSTREAM_CLIENT: 'curl' })).toThrow("TOKOMETER_UPSTREAM_CLIENT must be 'socket' or 'fetch', not 'curl'");
  });
});
