import { describe, expect, it } from 'vitest';
import { AlertRecords } from '../../src/budget/alert-records.js';
import type { AlertRecord } from '../../src/store/types.js';

const alert = (threshold: number): AlertRecord => ({
  kind: 'key', budget: 'k', tagValue: null, threshold, period: 'month', periodStart: 0, armedFrom: 0, spentNano: 1, limitNano: 2, soft: false, firedAt: Date.UTC(2026, 11, 6),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store that refuses while `down` is set; `stored` lists the thresholds it took, in order. */
function store() {
  const s = { down: false, stored: [] as number[], attempts: 0 };
  const write = async (a: AlertRecord) => {
    s.attempts++;
    if (s.down) throw new Error('connection terminated unexpectedly');
    s.stored.push(a.threshold);
    return true;
  };
  return { s, write };
}

describe('AlertRecords: budget alerts held through a store outage', () => {
  it('writes each alert at once while the store takes them', async () => {
    const { s, write } = store();
    const r = new AlertRecords({ write, log: () => {}, retryMs: 10 });
    r.add(alert(0.5));
    r.add(alert(0.8));
    await sleep(0);
    expect(s.stored).toEqual([0.5, 0.8]);
    expect(r.pending).toBe(0);
  });

  it('keeps what the store refuses and stores it, oldest first, once the store is back; logs the outage once and the recovery', async () => {
    const { s, write } = store();
    const lines: string[] = [];
    const r = new AlertRecords({ write, log: (l) => lines.push(l), retryMs: 10 });
    s.down = true;
    r.add(alert(0.5));
    await sleep(0);
    r.add(alert(0.8));
    r.add(alert(1));
    await sleep(45);
    expect(s.stored).toEqual([]);
    expect(r.pending).toBe(3);
    // One attempt for the first alert, then one per retry for the oldest only.
    expect(s.attempts).toBeGreaterThanOrEqual(3);
    s.down = false;
    await sleep(40);
    expect(s.stored).toEqual([0.5, 0.8, 1]);
    expect(r.pending).toBe(0);
    expect(lines).toEqual([
      'could not store a budget alert (trying again every 0.01 s): connection terminated unexpectedly',
      'the store takes budget alerts again (2 still to store)',
    ]);
  });

  it('at close, logs each alert the store never took and stops retrying', async () => {
    const { s, write } = store();
    const lines: string[] = [];
    const r = new AlertRecords({ write, log: (l) => lines.push(l), retryMs: 10 });
    s.down = true;
    r.add(alert(0.5));
    await sleep(0);
    expect(await r.close()).toBe(1);
    const attempts = s.attempts;
    await sleep(30);
    expect(s.attempts).toBe(attempts);
    expect(lines.at(-1)).toBe('budget alert not stored at shutdown (the store did not take it): key budget k at 50 %, fired 2026-12-06T00:00:00.000Z');
  });

  it('at close, makes one last attempt for the alerts it holds: a store back since the last retry takes them', async () => {
    const { s, write } = store();
    const r = new AlertRecords({ write, log: () => {}, retryMs: 60_000 });
    s.down = true;
    r.add(alert(0.5));
    await sleep(0);
    // The store comes back; the next retry is a minute away.
    s.down = false;
    expect(await r.close()).toBe(0);
    expect(s.stored).toEqual([0.5]);
  });

  it('at close, names a write still unanswered after the wait (a lock held elsewhere is waited out for minutes)', async () => {
    const lines: string[] = [];
    const r = new AlertRecords({ write: () => new Promise(() => {}), log: (l) => lines.push(l), retryMs: 10 });
    r.add(alert(0.8));
    expect(await r.close()).toBe(1);
    expect(lines).toEqual(['budget alert not stored at shutdown (the store did not take it): key budget k at 80 %, fired 2026-12-06T00:00:00.000Z']);
  });

  it('an alert added after close is written once, and named in the log if the store refuses it', async () => {
    const { s, write } = store();
    const lines: string[] = [];
    const r = new AlertRecords({ write, log: (l) => lines.push(l), retryMs: 10 });
    await r.close();
    r.add(alert(1));
    await sleep(0);
    expect(s.stored).toEqual([1]);
    s.down = true;
    r.add(alert(0.5));
    await sleep(30);
    expect(s.attempts).toBe(2);
    expect(lines).toEqual(['budget alert not stored at shutdown (the store did not take it): key budget k at 50 %, fired 2026-12-06T00:00:00.000Z']);
  });
});

describe('AlertRecords.add: the alert\'s claim', () => {
  it('answers the first attempt: true stored, false stored already; rejects when refused, and at once while earlier alerts are held', async () => {
    const answers = [true, false];
    const r = new AlertRecords({ write: async () => answers.shift() ?? Promise.reject(new Error('connection terminated unexpectedly')), log: () => {}, retryMs: 60_000 });
    expect(await r.add(alert(0.5))).toBe(true);
    expect(await r.add(alert(0.5))).toBe(false);
    await expect(r.add(alert(0.8))).rejects.toThrow('connection terminated unexpectedly');
    // 0.8 is held now: the next alert is not tried before it, its claim is refused at once.
    await expect(r.add(alert(1))).rejects.toThrow('1 earlier budget alerts wait for the store');
    expect(r.pending).toBe(2);
    await r.close();
  });
});
