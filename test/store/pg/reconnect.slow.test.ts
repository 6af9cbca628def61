import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresDb, reconnectDelayS, type PostgresDb } from '../../../src/store/drivers/postgres.js';
import { startPgServer, type PgServer } from '../../support/pg-server.mjs';

/**
 * A pool that kept failing while PostgreSQL was down reaches it again soon after it is
 * back. The client's own reconnect backoff grew to 10–20 s over such an outage, and every
 * statement (serve's writes among them) waited it out.
 */
describe('reconnecting after an outage', () => {
  it('waits 25–50 ms after the first failed connect, doubling, and never more than 1 s', () => {
    expect(reconnectDelayS(0, () => 0)).toBeCloseTo(0.025);
    expect(reconnectDelayS(0, () => 1)).toBeCloseTo(0.05);
    expect(reconnectDelayS(3, () => 1)).toBeCloseTo(0.4);
    for (const retries of [5, 12, 40, 1000]) {
      expect(reconnectDelayS(retries, () => 1)).toBe(1);
      expect(reconnectDelayS(retries, () => 0)).toBe(0.5);
    }
  });

  let server: PgServer | undefined;
  let db: PostgresDb | undefined;
  afterAll(async () => {
    await db?.close();
    await server?.remove();
  });

  it('a statement passes within 3 s of the server starting again after 8 s of failed statements', async () => {
    server = await startPgServer();
    db = openPostgresDb(server.url, { max: 2, connectTimeoutS: 10 });
    const pool = db;
    const ping = async (): Promise<boolean> => {
      try {
        await pool.sql`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    };
    expect(await ping()).toBe(true);
    await server.stop();
    let failures = 0;
    const outageEnd = Date.now() + 8000;
    while (Date.now() < outageEnd) {
      if (!(await ping())) failures++;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Enough failed connects for the client's own rule to wait 10–20 s (3^retries / 100 s).
    expect(failures).toBeGreaterThan(8);
    await server.start();
    const back = Date.now();
    while (!(await ping()) && Date.now() - back < 25_000) await new Promise((r) => setTimeout(r, 100));
    expect(Date.now() - back).toBeLessThan(3000);
  }, 60_000);
});
