import { afterEach, beforeEach, vi } from 'vitest';

/**
 * For the tests of the enclosing describe: fake setTimeout, clearTimeout and
 * performance.now() (starting at 0 ms, moved only by vi.advanceTimersByTime), real again
 * after each test. Every other timer API stays real.
 */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
