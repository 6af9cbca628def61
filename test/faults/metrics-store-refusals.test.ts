import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, UPSTREAM_KEY, type Harness } from '../support/proxy-harness.js';
import { breakableDb, type BreakableDb } from './breakable-db.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/**
 * With `store.on_error: refuse`, once memory and spill file are full every call is answered
 * 503 (SPEC §11). Those answers are not recorded (nothing can be), and they must still show
 * on `/metrics` (SPEC §2: requests): an SRE alerting on the 5xx rate of
 * tokometer_requests_total is otherwise never paged while the proxy refuses all traffic.
 */
describe('/metrics while the store refuses calls (store.on_error: refuse)', () => {
  let h: Harness | undefined;
  let dir: string;
  let db: BreakableDb | undefined;
  afterEach(async () => {
    // Healed, so the harness's own shutdown can write what is pending.
    if (db) db.broken = false;
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the 503 answers in tokometer_requests_total', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-metrics-refuse-'));
    h = await startHarness({
      driver: (tmp) => (db = breakableDb(path.join(tmp, 'test.db'))).driver,
      upstream: { reply: () => ({ body: CHAT }) },
      configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5, on_error: refuse, max_buffered_records: 4, spill_max_bytes: 6000 }\n`,
      overrides: { spillPath: path.join(dir, 'calls.spill') },
    });
    db!.broken = true;
    let refused = 0;
    for (let i = 0; i < 80 && refused < 5; i++) {
      const res = await fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}` }, body: '{"model":"gpt-4o-mini","messages":[]}' });
      await res.text();
      if (res.status === 503) refused++;
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(refused).toBe(5);
    const metrics = await (await fetch(`${h.proxy.url}/metrics`)).text();
    const line = metrics.split('\n').find((l) => l.startsWith('tokometer_requests_total{') && l.includes('status="503"'));
    expect(line, metrics.split('\n').filter((l) => l.startsWith('tokometer_requests_total')).join('\n')).toBeDefined();
    expect(Number(line!.split(' ').at(-1))).toBe(5);
  });
});

/**
 * Calls refused before a key identified them (no key, an unknown or revoked one) are never
 * recorded, so /metrics is the only place a flood of them shows: a deploy that ships a wrong
 * key, or someone probing the proxy.
 */
describe('/metrics and calls without a valid metering key', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('counts the 401 answers in tokometer_requests_total (outcome refused)', async () => {
    h = await startHarness({ upstream: { reply: () => ({ body: CHAT }) } });
    for (const authorization of ['Bearer mk_' + 'x'.repeat(32), 'Bearer mk_' + 'y'.repeat(32), '']) {
      const res = await fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: authorization === '' ? {} : { authorization }, body: '{"model":"gpt-4o-mini","messages":[]}' });
      await res.text();
      expect(res.status).toBe(401);
    }
    const metrics = await (await fetch(`${h.proxy.url}/metrics`)).text();
    const lines = metrics.split('\n').filter((l) => l.startsWith('tokometer_requests_total{'));
    expect(lines).toContain('tokometer_requests_total{provider="openai",status="401",outcome="refused"} 3');
  });
});
