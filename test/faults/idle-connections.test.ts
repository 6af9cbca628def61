import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openServeFolder } from '../support/serve-folder.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';
import { startForSuite } from '../support/suite-resource.js';
import { fdCount, fdLimit, rssMiB } from './proc.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
/** Idle keep-alive connections held open at once (fewer when a process may not open that many files). */
const WANTED = 5000;
/** Largest RSS growth allowed for holding them, MiB. */
const MAX_GROWTH_MIB = 100;

/** Opens a connection, does one keep-alive GET /healthz on it, and leaves it open and idle. */
function idleConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.once('error', reject);
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.includes('{"status":"ok"}')) {
        s.removeAllListeners('data');
        s.off('error', reject);
        s.on('error', () => undefined);
        resolve(s);
      }
    });
    s.once('connect', () => s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
  });
}

/**
 * Thousands of idle keep-alive connections (each after one request, as SDK pools leave
 * them): the proxy holds them all, its memory stays bounded, it still answers a call at
 * once, and it gives back every descriptor when the clients go.
 */
describe.each<Build>(['binary', 'node'])('idle keep-alive connections (%s)', (build) => {
  const folder = startForSuite(() =>
    openServeFolder({
      name: 'idle',
      upstream: { expectedKey: 'sk-idle', reply: () => ({ body: CHAT }) },
      config: (fakeUrl) => `providers:\n  openai: { base_url: "${fakeUrl}", api_key: "sk-idle" }\n`,
    }),
  );

  it(`holds up to ${WANTED} idle connections with < ${MAX_GROWTH_MIB} MiB more memory and keeps serving`, { timeout: 60_000 }, async () => {
    const { dir } = folder();
    const created = await runCli(build, ['keys', 'create', 'app'], { cwd: dir });
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    const serve = await startServe(build, ['--port', '0'], { cwd: dir });
    const pid = serve.child.pid as number;
    const port = Number(new URL(serve.url).port);
    const call = async () => {
      const started = performance.now();
      const res = await fetch(`${serve.url}/proxy/openai/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: '{"model":"gpt-4o-mini","messages":[]}' });
      await res.text();
      return { status: res.status, ms: performance.now() - started };
    };
    for (let i = 0; i < 20; i++) await call();
    const n = Math.min(WANTED, fdLimit('self') - 500, fdLimit(pid) - 500);
    expect(n, 'open-file limit too low for a meaningful test').toBeGreaterThanOrEqual(1000);
    const base = { rss: rssMiB(pid), fds: fdCount(pid) };

    const sockets: Socket[] = [];
    for (let i = 0; i < n; i += 250) sockets.push(...(await Promise.all(Array.from({ length: Math.min(250, n - i) }, () => idleConnection(port)))));
    await new Promise((r) => setTimeout(r, 500));
    const held = { rss: rssMiB(pid), fds: fdCount(pid) };
    const during = await call();
    console.log(
      `idle connections (${build}): ${n} held, RSS ${base.rss.toFixed(1)} -> ${held.rss.toFixed(1)} MiB (+${(held.rss - base.rss).toFixed(1)}), fds ${base.fds} -> ${held.fds}, a call while held: ${during.ms.toFixed(1)} ms`,
    );
    expect(held.fds - base.fds, 'the proxy holds every connection open').toBeGreaterThanOrEqual(n * 0.98);
    expect(held.rss - base.rss).toBeLessThan(MAX_GROWTH_MIB);
    expect(during.status).toBe(200);
    expect(during.ms).toBeLessThan(1000);

    for (const s of sockets) s.destroy();
    const deadline = performance.now() + 10_000;
    while (fdCount(pid) > base.fds + 20 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(fdCount(pid), 'descriptors given back').toBeLessThanOrEqual(base.fds + 20);
    expect((await call()).status).toBe(200);
    expect(await stopProcess(serve.child)).toBe(0);
  });
});
