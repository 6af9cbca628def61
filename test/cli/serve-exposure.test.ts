import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { servePlan } from '../../src/cli/serve.js';
import { edgesFor } from '../../src/edges.js';
import { reachableUrl } from '../../src/cli/serve-exposure.js';

/**
 * A trial: `TOKOMETER_ADMIN_TOKEN=short serve --host 0.0.0.0` started silently, metering keys
 * and the admin token travelling in clear text to every interface, and the banner said
 * "Point an SDK at http://0.0.0.0:21117", an address clients cannot connect to.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-serve-exposure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const plan = (host: string, env: Record<string, string> = {}) => servePlan({ env, cwd: dir, invokedAs: 'tokometer' }, { host, db: path.join(dir, 'a.db') });

describe("serve's start warnings on exposure", () => {
  it('warn of plain HTTP on a non-loopback address and of a short admin token', () => {
    const warnings = plan('0.0.0.0', { TOKOMETER_ADMIN_TOKEN: 'short' }).configWarnings;
    expect(warnings).toContain('serve listens on 0.0.0.0 without tls: metering keys and the admin token cross the network in clear text; set tls: in the config (cert and key files), or put a TLS proxy in front and listen on 127.0.0.1');
    expect(warnings).toContain('the admin token is 5 characters long: anyone who guesses it can create keys and change budgets; use a random token of at least 16 characters (e.g. openssl rand -hex 24)');
  });

  it('say nothing on loopback addresses or of a long admin token', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.0.2']) {
      expect(plan(host, { TOKOMETER_ADMIN_TOKEN: 'a-long-enough-admin-token-0123' }).configWarnings).toEqual([]);
    }
  });
});

/**
 * `tokometer serve --host HOST` in-process (no config, no admin token, an in-memory
 * database, port 0), stopped by SIGTERM once it prints its banner: the exit code, the
 * banner and the messages of the warnings it logged (stderr is one JSON line per entry).
 */
async function serveOn(host: string): Promise<{ code: number; out: string; warnings: string[] }> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    edges: edgesFor('node'),
    env: {},
    cwd: dir,
    clock: () => Date.now(),
    out: (text) => {
      out += text;
      if (text.startsWith('Point an SDK at')) process.emit('SIGTERM', 'SIGTERM');
    },
    err: (text) => void (err += text),
    isTTY: false,
  };
  const code = await runCli(['serve', '--host', host, '--port', '0', '--db', ':memory:'], ctx);
  const lines = err.trim().split('\n').filter((line) => line !== '');
  const warnings = lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((line) => line.level === 'warn');
  return { code, out, warnings: warnings.map((line) => line.msg) };
}

describe('serve on a loopback address other than 127.0.0.1', () => {
  // 127.0.0.0/8 is loopback: the plain-HTTP warning was not given on 127.0.0.2, but the one
  // on serving without an admin token said it was "reachable from other machines".
  it('warns of nothing, without tls or an admin token', async () => {
    const res = await serveOn('127.0.0.2');
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/listening on http:\/\/127\.0\.0\.2:\d+/);
    expect(res.warnings).toEqual([]);
  });
});

describe('the start banner on every interface', () => {
  it('names an address clients can connect to, saying it listens on all interfaces', () => {
    expect(reachableUrl('http://0.0.0.0:21117', '0.0.0.0')).toEqual({ url: 'http://127.0.0.1:21117', note: ' (listening on all interfaces; from other machines use this host\'s name or address)' });
    expect(reachableUrl('http://[::]:21117', '::')).toEqual({ url: 'http://127.0.0.1:21117', note: ' (listening on all interfaces; from other machines use this host\'s name or address)' });
    expect(reachableUrl('https://127.0.0.1:8787', '127.0.0.1')).toEqual({ url: 'https://127.0.0.1:8787', note: '' });
  });
});

/**
 * `keys create`'s copy-paste line (OPENAI_BASE_URL=…) for a config listening on `host`, with
 * tls or not: the URL before /proxy/openai. keys reads the config only; the tls files need not exist.
 */
async function keysCreateUrl(host: string, tls: boolean): Promise<string> {
  const folder = mkdtempSync(path.join(dir, 'keys-'));
  writeFileSync(path.join(folder, 'tokometer.yaml'), `listen: { host: "${host}", port: 8787 }\n${tls ? 'tls: { cert: ./cert.pem, key: ./key.pem }\n' : ''}`);
  let out = '';
  const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd: folder, clock: () => 0, out: (t) => void (out += t), err: () => {}, isTTY: false };
  expect(await runCli(['keys', 'create', 'app', '--db', path.join(folder, 'k.db')], ctx)).toBe(0);
  const url = /OPENAI_BASE_URL=(\S+)\/proxy\/openai /.exec(out)?.[1];
  expect(url).toBeDefined();
  return url as string;
}

describe('the address to connect to on every interface', () => {
  // Under tls the banner said 127.0.0.1 where keys create said localhost, the name a
  // certificate (mkcert's, a self-signed one for development) more likely carries.
  it('is localhost with tls, 127.0.0.1 without, in the banner as in keys create', async () => {
    expect(reachableUrl('https://0.0.0.0:8787', '0.0.0.0').url).toBe('https://localhost:8787');
    expect(reachableUrl('https://[::]:8787', '::').url).toBe('https://localhost:8787');
    expect(reachableUrl('http://0.0.0.0:8787', '0.0.0.0').url).toBe('http://127.0.0.1:8787');
    for (const host of ['0.0.0.0', '::']) {
      for (const tls of [true, false]) {
        const listening = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:8787`;
        expect(await keysCreateUrl(host, tls)).toBe(reachableUrl(listening, host).url);
      }
    }
  });
});
