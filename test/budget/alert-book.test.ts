import { describe, expect, it } from 'vitest';
import { AlertBook } from '../../src/budget/alert-book.js';
import type { AlertEvent } from '../../src/budget/types.js';
import type { AlertRecord, BudgetResetRecord } from '../../src/store/types.js';

const event = (over: Partial<AlertEvent> = {}): AlertEvent => ({
  id: 'x',
  name: 'b',
  kind: 'tag',
  tagValue: 'u1',
  threshold: 0.5,
  limitNano: 10,
  spentNano: 5,
  period: 'day',
  periodStart: 1000,
  armedFrom: 1000,
  resetAt: 2000,
  soft: false,
  at: 1500,
  ...over,
});
const row = (over: Partial<AlertRecord> = {}): AlertRecord => ({ kind: 'tag', budget: 'b', tagValue: 'u1', threshold: 0.5, period: 'day', periodStart: 1000, armedFrom: 1000, spentNano: 5, limitNano: 10, soft: false, firedAt: 1500, ...over });
const reset = (over: Partial<BudgetResetRecord> = {}): BudgetResetRecord => ({ kind: 'tag', budget: 'b', tagValue: 'u1', allValues: false, period: 'day', periodStart: 1000, resetAt: 1600, by: 'admin', ...over });

describe('AlertBook', () => {
  it('admits each (instance, threshold, period) once', () => {
    const book = new AlertBook();
    expect(book.admit(event())).toBe(true);
    expect(book.admit(event())).toBe(false);
    expect(book.admit(event({ threshold: 0.8 }))).toBe(true);
    expect(book.admit(event({ tagValue: 'u2' }))).toBe(true);
    expect(book.admit(event({ tagValue: null }))).toBe(true);
    expect(book.admit(event({ kind: 'key', tagValue: null }))).toBe(true);
    // A new period starts afresh (and the old period's firings are dropped).
    expect(book.admit(event({ periodStart: 2000 }))).toBe(true);
    expect(book.admit(event({ periodStart: 2000 }))).toBe(false);
  });

  it('takes a re-armed crossing whose identity fired as a new alert, armed from 1 past every firing of its threshold (any limit), the same on every book that knows them', () => {
    const book = new AlertBook();
    const other = new AlertBook();
    other.load([row(), row({ limitNano: 20, armedFrom: 1004 })], []);
    expect(book.take(event())?.id).toBe('x');
    expect(book.take(event())).toBeNull(); // not re-armed: a repeat
    book.admit(event({ limitNano: 20, armedFrom: 1004 }));
    const again = book.take(event({ rearmed: true }));
    expect(again).toMatchObject({ armedFrom: 1005, id: 'tag:b:u1:0.5:1000:10:1005' });
    expect(other.take(event({ rearmed: true }))?.id).toBe(again!.id);
    expect(book.take(event({ rearmed: true }))).toMatchObject({ armedFrom: 1006 });
    expect(book.take(event({ armedFrom: 1006 }))).toBeNull();
    // A re-armed crossing whose identity is new keeps it.
    expect(book.take(event({ threshold: 0.8, rearmed: true }))).toMatchObject({ id: 'x', armedFrom: 1000 });
  });

  it('loads stored alerts, except those a later reset of their period re-armed', () => {
    const book = new AlertBook();
    book.load(
      [row(), row({ tagValue: 'u2' }), row({ tagValue: 'u3', firedAt: 1700 }), row({ budget: 'c', tagValue: null })],
      [reset(), reset({ tagValue: null, allValues: true, budget: 'c' }), reset({ tagValue: 'u3' })],
    );
    expect(book.admit(event())).toBe(true); // re-armed by the reset of u1
    expect(book.admit(event({ tagValue: 'u2' }))).toBe(false);
    expect(book.admit(event({ tagValue: 'u3' }))).toBe(false); // fired after the reset
    expect(book.admit(event({ name: 'c', tagValue: null }))).toBe(true); // all values reset
  });

  it('re-arms one instance or every instance of a budget, for one period', () => {
    const book = new AlertBook();
    for (const tagValue of ['u1', 'u2', null]) book.admit(event({ tagValue }));
    book.admit(event({ name: 'b:x', tagValue: 'u1' }));
    book.rearm('tag', 'b', 'u1', 1000);
    expect(book.admit(event())).toBe(true);
    expect(book.admit(event({ tagValue: 'u2' }))).toBe(false);
    book.rearm('tag', 'b', undefined, 1000);
    expect(book.admit(event({ tagValue: 'u2' }))).toBe(true);
    expect(book.admit(event({ tagValue: null }))).toBe(true);
    // A budget whose name merely starts with "b" is untouched.
    expect(book.admit(event({ name: 'b:x', tagValue: 'u1' }))).toBe(false);
    book.rearm('tag', 'b', 'u2', 999);
    expect(book.admit(event({ tagValue: 'u2' }))).toBe(false);
  });

  it('a threshold fired under one limit does not hold back the same threshold under a raised limit, also after a restart', () => {
    const book = new AlertBook();
    expect(book.admit(event({ threshold: 0.8, limitNano: 10 }))).toBe(true);
    expect(book.admit(event({ threshold: 0.8, limitNano: 20 }))).toBe(true);
    expect(book.admit(event({ threshold: 0.8, limitNano: 20 }))).toBe(false);
    const restarted = new AlertBook();
    restarted.load([row({ threshold: 0.8, limitNano: 10 })], []);
    expect(restarted.admit(event({ threshold: 0.8, limitNano: 10 }))).toBe(false);
    expect(restarted.admit(event({ threshold: 0.8, limitNano: 20 }))).toBe(true);
  });

  it('stays bounded, forgetting the oldest instances first', () => {
    const book = new AlertBook(4);
    for (let i = 0; i < 4; i++) book.admit(event({ tagValue: `u${i}` }));
    book.admit(event({ tagValue: 'u4' }));
    expect(book.admit(event({ tagValue: 'u0' }))).toBe(true);
    expect(book.admit(event({ tagValue: 'u4' }))).toBe(false);
  });
});
