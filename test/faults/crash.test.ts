import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { openServeFolder } from '../support/serve-folder.js';
import { runCli, startServe, stopProcess } from '../support/spawn-cli.js';
import { startForSuite } from '../support/suite-resource.js';
import { taggedLoad } from '../support/tagged-call.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const FLUSH_MS = 50;

/**
 * kill -9 under load: the database must open cleanly and lose at most the calls that
 * finished within the last flush interval (plus scheduling slack) before the kill.
 */
describe('crash under load (compiled binary)', () => {
  const folder = startForSuite(() =>
    openServeFolder({
      name: 'crash',
      upstream: { expectedKey: 'sk-crash', reply: () => ({ body: CHAT }) },
      config: (fakeUrl) => `providers:\n  openai: { base_url: "${fakeUrl}", api_key: "sk-crash" }\nstore: { flush_interval_ms: ${FLUSH_MS} }\n`,
    }),
  );

  it('opens cleanly after kill -9 and loses at most the last flush interval', async () => {
    const { dir } = folder();
    const created = await runCli('binary', ['keys', 'create', 'load'], { cwd: dir });
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    const serve = await startServe('binary', ['--port', '0'], { cwd: dir });
    const finishedAt = new Map<string, number>();
    const load = taggedLoad(serve.url, secret, {
      clients: 16,
      onAnswer: (id, res) => void (res.status === 200 && finishedAt.set(id, performance.now())),
      onFailure: () => 'end',
    });
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = performance.now();
    await stopProcess(serve.child, 'SIGKILL');
    await load.stop();

    const db = openDriver(path.join(dir, 'tokometer.db'));
    expect(db.prepare('PRAGMA integrity_check').get<{ integrity_check: string }>()?.integrity_check).toBe('ok');
    const stored = new Set(db.prepare("SELECT t.value FROM calls c, json_each(c.tags) t WHERE t.key = 'req'").all<{ value: string }>().map((r) => r.value));
    db.close();
    const lost = [...finishedAt].filter(([id]) => !stored.has(id));
    const oldestLostMsBeforeKill = Math.max(0, ...lost.map(([, t]) => killedAt - t));
    // Slack: one flush interval plus commit time and timer jitter; the other test files run in
    // parallel on the same 2 cores (measured alone: ≤ 45 ms, see docs/reliability.md).
    expect(finishedAt.size).toBeGreaterThan(100);
    expect(oldestLostMsBeforeKill).toBeLessThanOrEqual(FLUSH_MS + 300);
    console.log(`crash: ${finishedAt.size} calls answered, ${lost.length} lost, oldest lost answered ${oldestLostMsBeforeKill.toFixed(1)} ms before kill -9`);

    // The proxy starts again on the same database and keeps metering.
    const again = await startServe('binary', ['--port', '0'], { cwd: dir });
    const res = await fetch(`${again.url}/proxy/openai/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${secret}` }, body: '{"model":"gpt-4o-mini"}' });
    expect(res.status).toBe(200);
    await res.text();
    expect(await stopProcess(again.child)).toBe(0);
  });
});
