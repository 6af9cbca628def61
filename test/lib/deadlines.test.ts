import { describe, expect, it, vi } from 'vitest';
import { Deadlines } from '../../src/lib/deadlines.js';
import { useFakeClock } from './fake-clock.js';

describe('Deadlines: many timeouts of one length on one timer', () => {
  useFakeClock();

  it('each deadline expires once, ms after it was added, in the order added', () => {
    const q = new Deadlines(100);
    const fired: Array<[string, number]> = [];
    q.add(() => fired.push(['a', performance.now()]));
    vi.advanceTimersByTime(30);
    q.add(() => fired.push(['b', performance.now()]));
    vi.advanceTimersByTime(69);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([['a', 100]]);
    vi.advanceTimersByTime(29);
    expect(fired).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([['a', 100], ['b', 130]]);
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveLength(2);
  });

  it('a cancelled deadline never fires, whether it was the oldest, in the middle or the newest', () => {
    const q = new Deadlines(100);
    const fired: string[] = [];
    const a = q.add(() => fired.push('a'));
    vi.advanceTimersByTime(10);
    const b = q.add(() => fired.push('b'));
    vi.advanceTimersByTime(10);
    q.add(() => fired.push('c'));
    vi.advanceTimersByTime(10);
    const d = q.add(() => fired.push('d'));
    q.cancel(a);
    q.cancel(b);
    q.cancel(d);
    q.cancel(d);
    vi.advanceTimersByTime(200);
    expect(fired).toEqual(['c']);
  });

  it('cancelling the oldest keeps the later ones on time (the timer re-arms for the new oldest)', () => {
    const q = new Deadlines(100);
    const fired: number[] = [];
    const a = q.add(() => fired.push(-1));
    vi.advanceTimersByTime(50);
    q.add(() => fired.push(performance.now()));
    q.cancel(a);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([150]);
  });

  it('a deadline added after the queue ran empty gets a timer again', () => {
    const q = new Deadlines(100);
    let n = 0;
    q.add(() => n++);
    vi.advanceTimersByTime(100);
    expect(n).toBe(1);
    vi.advanceTimersByTime(500);
    q.add(() => n++);
    vi.advanceTimersByTime(100);
    expect(n).toBe(2);
  });

  it('when a callback throws, the later deadlines still expire on time', () => {
    const q = new Deadlines(100);
    const fired: number[] = [];
    q.add(() => {
      throw new Error('boom');
    });
    vi.advanceTimersByTime(10);
    q.add(() => fired.push(performance.now()));
    expect(() => vi.advanceTimersByTime(90)).toThrow('boom');
    vi.advanceTimersByTime(10);
    expect(fired).toEqual([110]);
  });

  it('race: a read that settles first keeps its value or its mapped error, and its deadline is cancelled', async () => {
    const q = new Deadlines(100);
    const expired: string[] = [];
    await expect(q.race(Promise.resolve('body'), () => expired.push('ok'))).resolves.toBe('body');
    await expect(q.race(Promise.reject(new Error('reset')), () => expired.push('failed'), (e) => new Error(`mapped: ${(e as Error).message}`))).rejects.toThrow('mapped: reset');
    await expect(q.race(Promise.reject(new Error('as is')), () => expired.push('failed'))).rejects.toThrow('as is');
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([]);
  });

  it('race: a read still pending at the deadline rejects with what onExpire returns, once; its late result is ignored', async () => {
    const q = new Deadlines(100);
    let finish: (v: string) => void = () => {};
    let expiries = 0;
    const raced = q.race(new Promise<string>((resolve) => (finish = resolve)), () => {
      expiries++;
      return new Error('too slow');
    });
    vi.advanceTimersByTime(99);
    expect(expiries).toBe(0);
    vi.advanceTimersByTime(1);
    await expect(raced).rejects.toThrow('too slow');
    finish('late');
    await Promise.resolve();
    vi.advanceTimersByTime(1000);
    expect(expiries).toBe(1);
  });
});
