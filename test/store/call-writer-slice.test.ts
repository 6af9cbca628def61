import { afterEach, describe, expect, it } from 'vitest';
import { TimeSlice } from '../../src/lib/time-slice.js';
import { createCallWriter } from '../../src/store/call-writer.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { SqlDriver } from '../../src/store/types.js';
import { makeCall } from './fixtures.js';

const drivers: SqlDriver[] = [];
afterEach(() => {
  while (drivers.length > 0) drivers.pop()!.close();
});

/** A call writer on a fresh in-memory database whose TimeSlice counts its sleeps instead of sleeping. */
function writerWithSlice(sliceMs: number) {
  const driver = openDriver(':memory:');
  drivers.push(driver);
  let sleeps = 0;
  let now = 0;
  // Each record "takes" 0.1 ms on this clock.
  const slice = new TimeSlice(sliceMs, () => sleeps++, () => (now += 0.1));
  return { driver, writer: createCallWriter(driver, slice), sleeps: () => sleeps };
}

describe('the call writer steps its TimeSlice between records (the writer thread gives a shared core away)', () => {
  it('a slice used up by every step sleeps after each record, each rollup and entity upsert, and once before the COMMIT; every record is written', () => {
    const { driver, writer, sleeps } = writerWithSlice(0);
    const calls = Array.from({ length: 6 }, (_, i) => makeCall(i, { tags: { user_id: `u${i % 3}`, user_tier: 'free' } }));
    writer.insertCalls(calls);
    const count = (table: string) => (driver.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect(count('calls')).toBe(6);
    // One posting per user of the batch, listing its calls.
    expect(count('call_postings')).toBe(3);
    expect(count('call_postings p, json_each(p.ids) j')).toBe(6);
    // A fresh database: every rollup and entity upsert of the batch inserted one row.
    expect(count('entity_months')).toBeGreaterThanOrEqual(3);
    expect(sleeps()).toBe(calls.length + count('rollups') + count('entity_months') + 1);
  });

  it('a batch shorter than a slice never sleeps; each batch starts a new slice', () => {
    const { writer, sleeps } = writerWithSlice(10);
    for (let b = 0; b < 3; b++) writer.insertCalls(Array.from({ length: 20 }, (_, i) => makeCall(b * 20 + i)));
    expect(sleeps()).toBe(0);
  });
});
