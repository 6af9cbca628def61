import { describe, expect, it } from 'vitest';
import { CallCancel } from '../../src/lib/cancel.js';

describe('CallCancel', () => {
  it('calls its listener once, with the first reason, and aborts a signal asked for before', () => {
    const cancel = new CallCancel();
    const seen: unknown[] = [];
    cancel.onAbort((reason) => seen.push(reason));
    const signal = cancel.signal();
    expect(signal.aborted).toBe(false);
    cancel.abort('first');
    cancel.abort('second');
    expect(seen).toEqual(['first']);
    expect(cancel).toMatchObject({ aborted: true, reason: 'first' });
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('first');
  });

  it('gives an already aborted signal when asked after the abort, and the same signal every time', () => {
    const cancel = new CallCancel();
    cancel.abort('gone');
    const signal = cancel.signal();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('gone');
    expect(cancel.signal()).toBe(signal);
  });

  it('does not call a listener that was cleared, nor one set after the abort', () => {
    const cancel = new CallCancel();
    let calls = 0;
    cancel.onAbort(() => calls++);
    cancel.onAbort(null);
    cancel.abort();
    cancel.onAbort(() => calls++);
    cancel.abort();
    expect(calls).toBe(0);
  });
});
