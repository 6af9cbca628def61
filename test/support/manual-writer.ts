import type { CallRecord, RecordWriter } from '../../src/store/types.js';

/**
 * A RecordWriter that stores only when told: records wait in `pending` until `write()`
 * (the write queue's timer, run by the test) or a flush or drain hands them to `sink`.
 */
export function manualWriter(sink: (records: CallRecord[]) => unknown): { writer: RecordWriter; write: () => void } {
  const pending: CallRecord[] = [];
  const write = (): void => void sink(pending.splice(0));
  const writer: RecordWriter = {
    enqueue: (record) => (pending.push(record), true),
    flush: async () => (write(), true),
    drain: async () => write(),
    degraded: false,
    full: false,
    get pending() {
      return pending.length;
    },
    spilled: 0,
    refused: 0,
  };
  return { writer, write };
}
