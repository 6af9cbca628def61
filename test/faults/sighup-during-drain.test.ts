import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { sseFrames } from '../support/fake-upstream.js';
import { openServeFolder } from '../support/serve-folder.js';
import { runCli, startServe } from '../support/spawn-cli.js';
import { startForSuite, withMore } from '../support/suite-resource.js';

const STREAM = sseFrames(readFileSync(new URL('../fixtures/openai/chat-stream-usage.sse', import.meta.url), 'utf8'));

/**
 * SIGHUP is serve's "check for new prices now" (README; a unit's `ExecReload=kill -HUP`).
 * serve removes its SIGHUP handler when a SIGTERM starts the drain, so a SIGHUP that
 * arrives then (`systemctl reload` during a stop, the terminal of a serve stopped with
 * Ctrl-C closing) takes the default action and kills the process: the stream in flight is
 * cut and the pending records are lost, without a word. Only a second SIGINT/SIGTERM is
 * documented to end the drain at once.
 */
describe('a SIGHUP while serve drains after SIGTERM (node build)', () => {
  let secret: string;
  const folder = startForSuite(async () => {
    const f = await openServeFolder({
      name: 'sighup-drain',
      upstream: { expectedKey: 'sk-sighup', reply: () => ({ headers: { 'content-type': 'text/event-stream' }, body: STREAM, delayMs: 100 }) },
      config: (fakeUrl) => `providers:\n  openai: { base_url: "${fakeUrl}", api_key: "sk-sighup" }\nstore: { flush_interval_ms: 1000 }\n`,
    });
    return withMore(f, async () => {
      const created = await runCli('node', ['keys', 'create', 'app'], { cwd: f.dir });
      secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    });
  });

  it('does not kill the drain: the stream in flight ends whole, is recorded, exit 0', async () => {
    const serve = await startServe('node', ['--port', '0'], { cwd: folder().dir });
    const res = await fetch(`${serve.url}/proxy/openai/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } }) });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = new TextDecoder().decode((await reader.read()).value);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => serve.child.once('exit', (code, signal) => resolve({ code, signal })));
    serve.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    serve.child.kill('SIGHUP');
    const ended = await (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return 'whole';
          text += new TextDecoder().decode(value);
        }
      } catch {
        return 'cut';
      }
    })();
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(ended).toBe('whole');
    expect(text).toBe(STREAM.join(''));
    const db = openDriver(path.join(folder().dir, 'tokometer.db'));
    const rows = db.prepare('SELECT outcome FROM calls').all<{ outcome: string }>();
    db.close();
    expect(rows).toEqual([{ outcome: 'ok' }]);
  }, 60_000);
});
