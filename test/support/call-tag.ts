import { waitFor, type CallRow } from './proxy-harness.js';

/** A call a test is about to make, named by a tag so that its stored row can be found. */
export interface TaggedCall {
  /** The value of the call's `call` tag, unique in this test process. */
  id: string;
  /** Headers to send with the call: `X-Metering-Tags: {"call": id}`. */
  headers: Record<string, string>;
}

let made = 0;

/**
 * Names the next call of a test: send `headers` with it, then find its row with `rowOf`.
 * A test that reads the call's own row does not depend on what earlier tests stored (the
 * last row is not its row when it runs alone with `-t`, or when an earlier call's row is
 * written late), nor on when the writer stores it.
 */
export function tagCall(): TaggedCall {
  const id = `call-${++made}`;
  return { id, headers: { 'x-metering-tags': JSON.stringify({ call: id }) } };
}

/** The stored rows of the call `id` (one, for a call recorded once). */
export function rowsOf(rows: CallRow[], id: string): CallRow[] {
  return rows.filter((r) => r.tags.call === id);
}

/** Waits until the call `id` is stored (the record writer may lag behind the answer) and gives its row. */
export async function rowOf(rows: () => CallRow[], id: string, timeoutMs = 3000): Promise<CallRow> {
  let row: CallRow | undefined;
  await waitFor(() => (row = rows().find((r) => r.tags.call === id)) !== undefined, timeoutMs, `the row of call ${id}`);
  return row as CallRow;
}
