import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, UPSTREAM_KEY, waitFor, type Harness } from '../support/proxy-harness.js';
import { breakableDb, type BreakableDb } from './breakable-db.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/** Makes the store's call writes fail like a full disk until `heal()` is called. */
function breakStore(db: { broken: boolean }): { heal: () => void } {
  db.broken = true;
  return { heal: () => (db.broken = false) };
}

describe('a database that cannot be written', () => {
  let h: Harness | undefined;
  let dir: string;
  afterEach(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let db: BreakableDb;
  const start = async (onError: 'serve' | 'refuse') => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-storefault-'));
    const spillPath = path.join(dir, 'calls.spill');
    h = await startHarness({
      driver: (tmp) => (db = breakableDb(path.join(tmp, 'test.db'))).driver,
      upstream: { reply: () => ({ body: CHAT }) },
      configYaml: (url) =>
        `providers:\n  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 5, on_error: ${onError}, max_buffered_records: 4, spill_max_bytes: 6000 }\n`,
      overrides: { spillPath },
    });
    return { h, spillPath };
  };
  const call = (h: Harness) =>
    fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}` }, body: '{"model":"gpt-4o-mini","messages":[]}' });

  it('keeps serving, says so on /healthz, spills records to a file and replays them when the store recovers', async () => {
    const { h, spillPath } = await start('serve');
    const broken = breakStore(db);
    for (let i = 0; i < 6; i++) expect((await call(h)).status).toBe(200);
    await waitFor(() => h.proxy.queue.degraded, 2000, 'degraded');
    const health = (await (await fetch(`${h.proxy.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'degraded', store: 'failing' });
    await waitFor(() => existsSync(spillPath) && h.proxy.queue.spilled > 0, 2000, 'spill file');
    broken.heal();
    await waitFor(() => h.proxy.queue.pending === 0 && h.proxy.queue.spilled === 0, 3000, 'replay');
    expect(h.rows()).toHaveLength(6);
    expect(existsSync(spillPath)).toBe(false);
    expect((await (await fetch(`${h.proxy.url}/healthz`)).json()) as Record<string, unknown>).toEqual({ status: 'ok' });
  });

  it('with store.on_error: refuse, answers 503 in the provider shape once memory and spill file are full', async () => {
    const { h } = await start('refuse');
    const broken = breakStore(db);
    let refused: Response | undefined;
    for (let i = 0; i < 60 && !refused; i++) {
      const res = await call(h);
      if (res.status === 503) refused = res;
      else await res.text();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(refused).toBeDefined();
    const body = (await refused!.json()) as { error: { message: string; code: string } };
    expect(body.error.message).toMatch(/store\.on_error: refuse/);
    expect(body.error.code).toBe('service_unavailable');
    broken.heal();
    await waitFor(() => h.proxy.queue.pending === 0 && !h.proxy.queue.full, 3000, 'recovery');
    expect((await call(h)).status).toBe(200);
  });
});
