import { describe, expect, it } from 'vitest';
import { TimeSlice } from '../../src/lib/time-slice.js';

/** A TimeSlice on a clock the test moves, counting its sleeps (each sleep takes `sleepMs`). */
function sliced(sliceMs: number, sleepMs = 1) {
  let now = 1000;
  const sleeps: number[] = [];
  const slice = new TimeSlice(
    sliceMs,
    () => {
      sleeps.push(now);
      now += sleepMs;
    },
    () => now,
  );
  return { slice, sleeps, work: (ms: number) => (now += ms) };
}

describe('TimeSlice: long synchronous work that gives the core away between slices', () => {
  it('sleeps only once a slice of work is used up, and the next slice starts after the sleep', () => {
    const { slice, sleeps, work } = sliced(3, 1);
    slice.begin();
    work(1);
    slice.step();
    work(1);
    slice.step();
    expect(sleeps).toEqual([]);
    work(1);
    slice.step();
    expect(sleeps).toEqual([1003]);
    // The sleep (1003 → 1004) is not work: the next slice counts from its end.
    work(2);
    slice.step();
    expect(sleeps).toHaveLength(1);
    work(1);
    slice.step();
    expect(sleeps).toEqual([1003, 1007]);
  });

  it('begin starts a new slice: time spent idle between two pieces of work is not counted', () => {
    const { slice, sleeps, work } = sliced(3);
    slice.begin();
    work(2);
    slice.step();
    work(5_000);
    slice.begin();
    work(1);
    slice.step();
    expect(sleeps).toEqual([]);
  });

  it('steps that each take a whole slice sleep after every step', () => {
    const { slice, sleeps, work } = sliced(3);
    slice.begin();
    for (let i = 0; i < 4; i++) {
      work(4);
      slice.step();
    }
    expect(sleeps).toHaveLength(4);
  });

  it('the default sleep blocks the thread briefly: ~20 µs asked, far from a scheduler slice even on a busy machine', () => {
    const slice = new TimeSlice(0);
    const t0 = performance.now();
    slice.begin();
    for (let i = 0; i < 10; i++) slice.step();
    const perSleepMs = (performance.now() - t0) / 10;
    expect(perSleepMs).toBeGreaterThanOrEqual(0.02);
    expect(perSleepMs).toBeLessThan(20);
  });
});
