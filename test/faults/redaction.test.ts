import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { openServeFolder } from '../support/serve-folder.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';
import { startForSuite } from '../support/suite-resource.js';

/** A provider key planted everywhere it could leak from. */
const PLANTED = 'sk-PLANTED-do-not-leak-7f3a9c2e1b';

/**
 * The upstream key must never appear in logs, errors, /metrics or the database, whatever
 * goes wrong: a provider that rejects the key, a provider that is down, bad requests.
 */
describe.each<Build>(['binary', 'node'])('secrets stay secret (%s)', (build) => {
  const folder = startForSuite(() =>
    openServeFolder({
      name: 'redact',
      upstream: {
        expectedKey: PLANTED,
        reply: () => ({ status: 401, body: '{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}' }),
      },
      config: (fakeUrl) =>
        `providers:\n  openai: { base_url: "${fakeUrl}", api_key: "\${PLANTED}" }\n  down: { kind: openai-compatible, base_url: "http://127.0.0.1:9", api_key: "\${PLANTED}" }\nstore: { flush_interval_ms: 10 }\n`,
    }),
  );

  it('never prints, stores or exposes the upstream key', async () => {
    const { dir } = folder();
    const env = { PLANTED };
    const created = await runCli(build, ['keys', 'create', 'app'], { cwd: dir, env });
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    const serve = await startServe(build, ['--port', '0'], { cwd: dir, env });
    const openai = new OpenAI({ apiKey: secret, baseURL: `${serve.url}/proxy/openai`, maxRetries: 0 });
    const down = new OpenAI({ apiKey: secret, baseURL: `${serve.url}/proxy/down`, maxRetries: 0 });
    const errors: string[] = [];
    for (const call of [
      () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      () => down.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] }, { headers: { 'X-Metering-Tags': '{bad' } }),
    ]) {
      errors.push(String(await call().catch((e: unknown) => JSON.stringify(e) + String(e))));
    }
    const metrics = await (await fetch(`${serve.url}/metrics`)).text();
    const health = await (await fetch(`${serve.url}/healthz`)).text();
    expect(health).toContain('ok');
    expect(await stopProcess(serve.child)).toBe(0);
    const { stdout, stderr } = serve.output();
    const dbFiles = ['tokometer.db', 'tokometer.db-wal'].map((f) => path.join(dir, f)).filter(existsSync);
    const stored = dbFiles.map((f) => readFileSync(f).toString('latin1')).join('');
    for (const [where, text] of Object.entries({ stdout, stderr, metrics, errors: errors.join('\n'), database: stored, report: (await runCli(build, ['report', '--format', 'json'], { cwd: dir, env })).stdout })) {
      expect(text.includes(PLANTED), `${where} contains the upstream key`).toBe(false);
      expect(text.includes(secret), `${where} contains the metering key`).toBe(false);
    }
    expect(metrics).toMatch(/tokometer_requests_total\{provider="down",status="502"/);
    expect(errors[1]).toMatch(/unreachable/);
  });
});
