import type { CallCancel } from '../lib/cancel.js';

/** What the registry reads of a call: whether it has been recorded (CallRecorder.finished). */
export interface Recorded {
  readonly finished: boolean;
}

/** Why a departed call's upstream request was stopped. */
const CUT_REASON = new Error('tokometer is shutting down: the answer of a client that left is no longer awaited');

/**
 * Calls whose client left before their answer while the upstream request goes on (a
 * non-streamed call, or detached work: handler.ts onClientLeft): the provider bills the
 * answer, so it is still read and metered, bounded by the provider's header and idle
 * timeouts. Shutdown cuts them when its grace period ends (`cut`, shutdown.ts), so that a
 * stop always ends and each call records itself before the records are written.
 *
 * Only departures touch it (never a call whose client stays). A call is kept until the next
 * departure finds it recorded: at most the calls whose clients left since the last one.
 */
export class DepartedCalls {
  private readonly calls = new Map<CallCancel, Recorded>();
  private cutting = false;

  /** The client of `call` left and its answer is still read; once shutdown has cut, its request stops at once. */
  add(cancel: CallCancel, call: Recorded): void {
    if (this.cutting) return cancel.abort(CUT_REASON);
    for (const [c, recorded] of this.calls) if (recorded.finished) this.calls.delete(c);
    this.calls.set(cancel, call);
  }

  /** Departed calls still reading their answer (or recorded since the last departure). */
  get size(): number {
    return this.calls.size;
  }

  /**
   * Shutdown's grace period is over: every departed call's upstream request stops (each is
   * recorded as a client that left, from what it read), and so does that of any call whose
   * client leaves from now on (the server cuts the connections of the calls still running).
   * Idempotent.
   */
  cut(): void {
    this.cutting = true;
    for (const cancel of this.calls.keys()) cancel.abort(CUT_REASON);
    this.calls.clear();
  }
}
