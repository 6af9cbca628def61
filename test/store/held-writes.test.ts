import { describe, expect, it } from 'vitest';
import { HoldingWriter } from '../../src/store/held-writes.js';
import { manualWriter } from '../support/manual-writer.js';
import { makeCall } from './fixtures.js';

/** An inner writer that writes only when told (`write`), or on flush; `written` lists the ts of what it wrote, in order. */
function inner() {
  const written: number[] = [];
  return { ...manualWriter((records) => written.push(...records.map((r) => r.ts))), written };
}

const rec = (ts: number) => makeCall(0, { ts });
const turn = () => new Promise((r) => setImmediate(r));

describe('HoldingWriter', () => {
  it('passes records straight on while nothing holds them', () => {
    const i = inner();
    const w = new HoldingWriter(i.writer);
    w.enqueue(rec(1));
    w.enqueue(rec(2));
    expect(i.writer.pending).toBe(2);
    i.write();
    expect(i.written).toEqual([1, 2]);
  });

  it('a hold: what came before is written first; what comes after waits until the release, in order', async () => {
    const i = inner();
    const w = new HoldingWriter(i.writer);
    w.enqueue(rec(1));
    const hold = w.hold();
    w.enqueue(rec(2));
    w.enqueue(rec(3));
    expect(await hold.written).toBe(true);
    i.write(); // the writer's timer during the read: nothing held reaches it
    expect(i.written).toEqual([1]);
    expect(w.pending).toBe(2);
    hold.release();
    hold.release();
    w.enqueue(rec(4));
    i.write();
    expect(i.written).toEqual([1, 2, 3, 4]);
  });

  it('overlapping holds: a later hold is written once the earlier ones let their records go', async () => {
    const i = inner();
    const w = new HoldingWriter(i.writer);
    const first = w.hold();
    w.enqueue(rec(1));
    const second = w.hold();
    w.enqueue(rec(2));
    let secondWritten = false;
    void second.written.then(() => (secondWritten = true));
    await first.written;
    await turn();
    expect(secondWritten).toBe(false);
    first.release();
    await second.written;
    expect(i.written).toEqual([1]); // 1 was accepted before the second hold; 2 after it
    second.release();
    i.write();
    expect(i.written).toEqual([1, 2]);
  });

  it('flush waits for held records; drain lets every hold go and writes everything', async () => {
    const i = inner();
    const w = new HoldingWriter(i.writer);
    const hold = w.hold();
    w.enqueue(rec(1));
    let flushed = false;
    void w.flush().then(() => (flushed = true));
    await turn();
    expect(flushed).toBe(false);
    hold.release();
    await turn();
    expect(flushed).toBe(true);
    expect(i.written).toEqual([1]);
    w.hold();
    w.enqueue(rec(2));
    await w.drain();
    expect(i.written).toEqual([1, 2]);
    // After drain nothing is held any more.
    w.hold();
    w.enqueue(rec(3));
    expect(i.writer.pending).toBe(1);
  });

  it('past maxHeld records every hold is let go (nothing lost)', () => {
    const i = inner();
    const w = new HoldingWriter(i.writer, { maxHeld: 2 });
    w.hold();
    w.enqueue(rec(1));
    w.enqueue(rec(2));
    expect(i.writer.pending).toBe(0);
    w.enqueue(rec(3));
    w.enqueue(rec(4));
    i.write();
    expect(i.written).toEqual([1, 2, 3, 4]);
  });
});
