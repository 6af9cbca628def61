import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/proxy/log.js';
import { startHarness } from '../support/proxy-harness.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/**
 * A shutdown whose last write fails (the database refuses writes, no spill file) loses the
 * records still pending: the log says how many, and the rest of the shutdown still runs —
 * the store closes (and, on PostgreSQL, the budget leases go back) — before stop rejects.
 */
describe('stop after a drain that fails', () => {
  it('says the pending records are lost, closes the store all the same, then rejects', async () => {
    const errors: Array<[string, Record<string, unknown> | undefined]> = [];
    const log: Logger = { info: () => {}, warn: () => {}, error: (msg, fields) => errors.push([msg, fields]) };
    const h = await startHarness({ upstream: { reply: () => ({ body: CHAT }) }, overrides: { log } });
    const call = () => fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' }, body: '{"model":"gpt-4o-mini","messages":[]}' });
    expect((await call()).status).toBe(200);
    expect(h.rows()).toHaveLength(1);
    // From now on the database refuses every write.
    h.driver.exec('PRAGMA query_only = 1');
    expect((await call()).status).toBe(200);

    await expect(h.proxy.stop(200)).rejects.toThrow();
    const lost = errors.find(([msg]) => msg === 'call records could not be written before exit and are lost');
    expect(lost?.[1]).toMatchObject({ records: 1 });
    // The store was closed after the failed drain: its connection is gone.
    expect(() => h.driver.prepare('SELECT 1').get()).toThrow();
    await h.close().catch(() => {});
  });
});
