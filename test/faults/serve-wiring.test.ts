/**
 * `tokometer serve` applies `limits.client_header_timeout_ms`, `limits.client_body_timeout_ms`
 * and `tls` from the config (PEM paths relative to the config file) on both builds, and
 * prints an https URL when TLS is on.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openServeFolder } from '../support/serve-folder.js';
import { BINARY, NODE_ENTRY, runCli, stopProcess, type Build } from '../support/spawn-cli.js';
import { startForSuite, withMore } from '../support/suite-resource.js';
import { chatHead, openRaw, within } from './raw-client.js';
import { selfSigned } from './self-signed.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

describe.each<Build>(['binary', 'node'])('serve applies tls and client timeouts from the config (%s)', (build) => {
  let secret: string;
  const folder = startForSuite(async () => {
    // The config lives in a subfolder and names its PEM files relative to itself; serve runs from the parent.
    const f = await openServeFolder({
      name: 'wiring',
      configFile: 'conf/tokometer.yaml',
      upstream: { expectedKey: 'sk-wiring', reply: () => ({ body: CHAT }) },
      config: (fakeUrl) =>
        [
          `providers:\n  openai: { base_url: "${fakeUrl}", api_key: "sk-wiring" }`,
          'tls: { cert: cert.pem, key: key.pem }',
          'limits: { client_header_timeout_ms: 500, client_body_timeout_ms: 500 }',
        ].join('\n'),
    });
    return withMore(f, async () => {
      selfSigned(path.join(f.dir, 'conf'));
      secret = /mk_[0-9A-Za-z]{32}/.exec((await runCli(build, ['keys', 'create', 'app', '--config', 'conf/tokometer.yaml'], { cwd: f.dir })).stdout)?.[0] as string;
    });
  });

  it('listens on https, answers a call, cuts a stalled body after 500 ms, and stops cleanly', async () => {
    const { dir, fake } = folder();
    const [cmd, args] = build === 'binary' ? [BINARY, ['serve', '--config', 'conf/tokometer.yaml', '--port', '0']] : [process.execPath, [NODE_ENTRY, 'serve', '--config', 'conf/tokometer.yaml', '--port', '0']];
    const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const url = await within(
      new Promise<string>((resolve) =>
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (https:\/\/\S+)/.exec(out);
          if (m) resolve(m[1] as string);
        }),
      ),
      15_000,
      `serve printing an https URL (got: ${out})`,
    );
    const port = Number(new URL(url).port);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port, path: '/proxy/openai/chat/completions', method: 'POST', ca: readFileSync(path.join(dir, 'conf', 'cert.pem')), headers: { authorization: `Bearer ${secret}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end('{"model":"gpt-4o-mini","messages":[]}');
    });
    expect(status).toBe(200);

    const conn = await openRaw(port, { tls: true });
    conn.write(chatHead(secret, 100) + '{"model":');
    const closedAfterMs = await within(conn.closed, 5000, 'the stalled body being cut');
    expect(closedAfterMs).toBeGreaterThanOrEqual(450);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(fake.requests).toHaveLength(1);
    expect(await stopProcess(child)).toBe(0);
  });
});
