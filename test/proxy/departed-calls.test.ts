import { describe, expect, it } from 'vitest';
import { CallCancel } from '../../src/lib/cancel.js';
import { DepartedCalls } from '../../src/proxy/departed-calls.js';

describe('DepartedCalls', () => {
  it('leaves a departed call running until shutdown cuts it, then stops every one still reading', () => {
    const departed = new DepartedCalls();
    const reading = new CallCancel();
    const other = new CallCancel();
    departed.add(reading, { finished: false });
    departed.add(other, { finished: false });
    expect(reading.aborted).toBe(false);
    departed.cut();
    expect(reading.aborted).toBe(true);
    expect(other.aborted).toBe(true);
    expect(String(reading.reason)).toMatch(/shutting down/);
    expect(departed.size).toBe(0);
  });

  it('stops at once a call whose client leaves after the cut', () => {
    const departed = new DepartedCalls();
    departed.cut();
    const late = new CallCancel();
    departed.add(late, { finished: false });
    expect(late.aborted).toBe(true);
    expect(departed.size).toBe(0);
  });

  it('forgets calls already recorded when the next client leaves, and never aborts them', () => {
    const departed = new DepartedCalls();
    const done = new CallCancel();
    const call = { finished: false };
    departed.add(done, call);
    call.finished = true;
    const next = new CallCancel();
    departed.add(next, { finished: false });
    expect(departed.size).toBe(1);
    departed.cut();
    expect(done.aborted).toBe(false);
    expect(next.aborted).toBe(true);
  });
});
