import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { sseFrames } from '../support/fake-upstream.js';
import { openServeFolder } from '../support/serve-folder.js';
import { runCli, startServe, type Build } from '../support/spawn-cli.js';
import { startForSuite, withMore } from '../support/suite-resource.js';

const STREAM = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));

/**
 * A second Ctrl-C (or SIGTERM) while serve drains is the user asking it to hurry. It used to
 * end the process by the signal's default action: the stream in flight, which the provider
 * bills, was cut with no record, and the pending records were lost without a word (exit 130).
 * It now ends the grace period at once: the calls in flight are cut and recorded, the records
 * written, exit 0. (A third signal ends the process; a repeat within REPEAT_SIGNAL_MS of the
 * first is the same Ctrl-C delivered twice, and changes nothing.)
 */
describe.each<Build>(['binary', 'node'])('a second SIGINT while serve drains after SIGTERM (%s)', (build) => {
  let secret: string;
  const folder = startForSuite(async () => {
    const f = await openServeFolder({
      name: `second-signal-${build}`,
      // 13 frames 600 ms apart: ~7.8 s, far inside the 30 s grace.
      upstream: { expectedKey: 'sk-second', reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: STREAM, delayMs: 600 }) },
      config: (fakeUrl) => `providers:\n  openai: { base_url: "${fakeUrl}", api_key: "sk-second" }\nstore: { flush_interval_ms: 1000 }\nlimits: { shutdown_grace_ms: 30000 }\n`,
    });
    return withMore(f, async () => {
      const created = await runCli('node', ['keys', 'create', 'app'], { cwd: f.dir });
      secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    });
  });

  it('cuts the calls in flight now and records them, writes every record, exit 0', async () => {
    const serve = await startServe(build, ['--port', '0'], { cwd: folder().dir });
    const res = await fetch(`${serve.url}/proxy/openai/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: JSON.stringify({ model: 'gpt-4o-mini', stream: true }) });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => serve.child.once('exit', (code, signal) => resolve({ code, signal })));
    serve.child.kill('SIGTERM');
    // One Ctrl-C delivered twice (a wrapper such as `npm exec` forwards it to a process the
    // terminal signals too) is one request: the drain goes on.
    await new Promise((r) => setTimeout(r, 2));
    serve.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 1500));
    expect(serve.output().stderr).not.toMatch(/again: cutting/);
    const hurriedAt = Date.now();
    serve.child.kill('SIGINT');
    let received = '';
    const ended = await (async () => {
      try {
        for (;;) {
          const next = await reader.read();
          if (next.done) return 'ended';
          received += Buffer.from(next.value).toString('utf8');
        }
      } catch {
        return 'cut';
      }
    })();
    expect(await exited).toEqual({ code: 0, signal: null });
    // Well before the stream's own end (~7 s after its first frame).
    expect(Date.now() - hurriedAt).toBeLessThan(4000);
    // Ended with OpenAI's error frame saying why (shutdown-stream-frame.test.ts), not cut bare.
    expect(ended).toBe('ended');
    expect(received).toMatch(/data: \{"error":\{"message":"tokometer is shutting down: [^"]*","type":"server_error","param":null,"code":"service_unavailable"\}\}\n\n$/);
    expect(serve.output().stderr).toMatch(/SIGINT again: cutting the calls in flight now/);
    expect(serve.output().stderr).toMatch(/stopped: every call record written/);
    const db = openDriver(path.join(folder().dir, 'tokometer.db'));
    const rows = db.prepare('SELECT outcome, output_tokens FROM calls').all<{ outcome: string; output_tokens: number | null }>();
    db.close();
    // Recorded as the grace period's end records a stream it ends: the client did not get it whole.
    expect(rows).toHaveLength(1);
    expect(rows[0]!.outcome).toBe('client_aborted');
  }, 60_000);
});
