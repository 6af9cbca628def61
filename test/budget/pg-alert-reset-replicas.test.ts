import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/start.js';
import { pgDatabases } from '../support/pg-databases.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, chat, keyBudget } from './support.js';

const pg = pgDatabases();

/**
 * Two replicas on one PostgreSQL database share a key budget ($0.002, alert at 50 %) and
 * one webhook. Both counters see each crossing (the one that settles it, the other at its
 * next sync of the shared spend), before and after an admin reset made through replica A:
 * each crossing is one POST, and the one after the reset has the same id on both replicas,
 * an id of its own (it names the reset), so a receiver that de-duplicates by id gets both.
 */
describe('alerts of a shared budget before and after a reset, on two replicas', () => {
  const suite = proxySuite();
  const posted: Array<Record<string, unknown>> = [];
  let hook: Server;
  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        posted.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => hook.close(() => resolve())));

  it('send one webhook per crossing, with one id on both replicas', async () => {
    const url = await pg.url('alert_reset_replicas');
    const yaml = `alerts:\n  webhook_url: http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook\n`;
    const a = await suite.startOnPostgres(url, yaml);
    const b = await suite.startOnPostgres(url, yaml);
    const secret = await addKey(a, 'k', { budget: keyBudget(0.002, { alertAt: [0.5] }) });
    await b.keys.reload();
    const spent = (p: RunningProxy) => p.budgets!.snapshot().find((s) => s.name === 'k')?.spentNano ?? 0;
    const ids = (p: RunningProxy) => p.budgets!.recentAlerts().map((e) => e.id);
    let i = 0;
    /** Calls through `p` until its counter holds at least $0.001 (50 %): small calls once it is the other replica's spend to learn. */
    const spendUntilHalf = async (p: RunningProxy, maxTokens: number) => {
      for (let t = 0; t < 100 && spent(p) < 1_000_000; t++) {
        expect((await chat(`${p.url}/proxy/openai`, secret, { maxTokens, content: `q${i++}` })).status).toBe(200);
        if (maxTokens === 1) await new Promise((r) => setTimeout(r, 100));
      }
      expect(spent(p)).toBeGreaterThanOrEqual(1_000_000);
    };

    await spendUntilHalf(a, 100);
    await spendUntilHalf(b, 1);
    expect(ids(a)).toHaveLength(1);
    expect(ids(b)).toEqual(ids(a));

    const reset = await a.budgets!.reset({ name: 'k' }, 'admin');
    expect(reset.ok).toBe(true);
    const resetAt = (reset as { resetAt: number }).resetAt;
    // B learns the reset from the shared row at its next sync: its spend drops below 50 % again.
    for (let t = 0; t < 40 && spent(b) >= 1_000_000; t++) {
      expect((await chat(`${b.url}/proxy/openai`, secret, { maxTokens: 1, content: `w${t}` })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(spent(b)).toBeLessThan(1_000_000);
    await spendUntilHalf(a, 100);
    await spendUntilHalf(b, 1);
    expect(ids(a)).toEqual([`${ids(a)[1]}:${resetAt}`, ids(a)[1]]);
    expect(ids(b)).toEqual(ids(a));

    await a.budgets!.idle();
    await b.budgets!.idle();
    expect(posted.map((p) => p['id'])).toEqual([ids(a)[1], ids(a)[0]]);
  }, 90_000);
});
