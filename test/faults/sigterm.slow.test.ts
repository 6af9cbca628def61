import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { sseFrames } from '../support/fake-upstream.js';
import { openServeFolder } from '../support/serve-folder.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';
import { startForSuite, withMore } from '../support/suite-resource.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const STREAM = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));
/** ms between two stream frames: the whole stream takes 13 × 120 ms ≈ 1.6 s. */
const FRAME_DELAY_MS = 120;
/** serve's shutdown grace period in the second case (`limits.shutdown_grace_ms`); the first keeps the default 10 s. */
const GRACE_MS = 1000;
const DEFAULT_GRACE_MS = 10_000;

/** Whether a fresh TCP connection to the port is refused (resolves false when it connects). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/**
 * SIGTERM: the listener closes at once (new connections refused), calls in flight run to
 * their end within the grace period and are recorded, the write queue drains, exit 0.
 */
describe.each<Build>(['binary', 'node'])('SIGTERM (%s)', (build) => {
  /** The config, with `extra` lines appended (the first case uses the default grace, the second a short one). */
  const configWith = (extra: string) => (fakeUrl: string) => `providers:\n  openai: { base_url: "${fakeUrl}", api_key: "sk-sigterm" }\nstore: { flush_interval_ms: 1000 }\n${extra}`;
  let secret: string;
  const folder = startForSuite(async () => {
    const f = await openServeFolder({
      name: 'sigterm',
      upstream: {
        expectedKey: 'sk-sigterm',
        reply: (req) => {
          if (!req.body.includes('"stream":true')) return { body: CHAT };
          const slow = req.body.includes('"endless"');
          return { headers: { 'content-type': 'text/event-stream' }, body: slow ? Array.from({ length: 200 }, () => STREAM[1] as string) : STREAM, delayMs: slow ? 100 : FRAME_DELAY_MS };
        },
      },
      config: configWith(''),
    });
    return withMore(f, async () => {
      const created = await runCli(build, ['keys', 'create', 'app'], { cwd: f.dir });
      secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    });
  });

  const rows = (): Array<{ outcome: string; streamed: number; usage_source: string; output_tokens: number | null }> => {
    const db = openDriver(path.join(folder().dir, 'tokometer.db'));
    const out = db.prepare('SELECT outcome, streamed, usage_source, output_tokens FROM calls ORDER BY id').all<{ outcome: string; streamed: number; usage_source: string; output_tokens: number | null }>();
    db.close();
    return out;
  };
  const post = (url: string, body: object) =>
    fetch(`${url}/proxy/openai/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: JSON.stringify({ model: 'gpt-4o-mini', ...body }) });

  it('finishes a stream in flight, refuses new connections, writes every pending record and exits 0', async () => {
    const before = rows().length;
    const serve = await startServe(build, ['--port', '0'], { cwd: folder().dir });
    const port = Number(new URL(serve.url).port);
    // Records the flush interval (1 s) has not written yet when SIGTERM arrives.
    for (let i = 0; i < 20; i++) expect((await post(serve.url, {})).status).toBe(200);
    const res = await post(serve.url, { stream: true, stream_options: { include_usage: true } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => serve.child.once('exit', (code) => resolve({ code, at: performance.now() })));
    const signalledAt = performance.now();
    serve.child.kill('SIGTERM');
    let refusedAt = 0;
    while (performance.now() - signalledAt < 2000 && !refusedAt) {
      if (await refused(port)) refusedAt = performance.now();
      else await new Promise((r) => setTimeout(r, 25));
    }
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    const streamEndedAt = performance.now();
    const { code, at: exitedAt } = await exited;
    const ms = (t: number) => `${(t - signalledAt).toFixed(0)} ms`;
    console.log(`sigterm (${build}): new connections refused after ${ms(refusedAt)}, in-flight stream ended after ${ms(streamEndedAt)}, exit ${code} after ${ms(exitedAt)}`);
    expect(refusedAt, 'new connections refused after SIGTERM').toBeGreaterThan(0);
    expect(refusedAt).toBeLessThan(streamEndedAt);
    expect(text).toBe(STREAM.join(''));
    expect(code).toBe(0);
    expect(exitedAt).toBeGreaterThanOrEqual(streamEndedAt - 50);
    expect(exitedAt - signalledAt).toBeLessThan(DEFAULT_GRACE_MS);
    const stored = rows().slice(before);
    expect(stored).toHaveLength(21);
    expect(stored.at(-1)).toMatchObject({ outcome: 'ok', streamed: 1, usage_source: 'reported', output_tokens: 9 });
  });

  it('cuts a stream still running when the grace period (limits.shutdown_grace_ms) ends, records it, and exits 0', { timeout: 40_000 }, async () => {
    folder().writeConfig(configWith(`limits: { shutdown_grace_ms: ${GRACE_MS} }\n`));
    const before = rows().length;
    const serve = await startServe(build, ['--port', '0'], { cwd: folder().dir });
    const res = await post(serve.url, { stream: true, endless: true });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const signalledAt = performance.now();
    const code = await stopProcess(serve.child);
    const stoppedAfterMs = performance.now() - signalledAt;
    console.log(`sigterm (${build}): stream outliving the ${GRACE_MS} ms grace period cut; exit ${code} after ${stoppedAfterMs.toFixed(0)} ms`);
    const ending = await reader.read().then(
      async (r) => (r.done ? 'ended' : (await reader.cancel(), 'ended')),
      () => 'cut',
    );
    expect(code).toBe(0);
    expect(stoppedAfterMs).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(stoppedAfterMs).toBeLessThan(GRACE_MS + 5000);
    expect(stoppedAfterMs, 'the configured grace, not the default').toBeLessThan(DEFAULT_GRACE_MS);
    expect(['cut', 'ended']).toContain(ending);
    const stored = rows().slice(before);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ streamed: 1, outcome: 'client_aborted', usage_source: 'estimated' });
  });
});
