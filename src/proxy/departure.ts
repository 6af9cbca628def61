import { Deadlines } from '../lib/deadlines.js';

/**
 * ms a non-streamed call runs before its client's departure is listened for. An `abort`
 * listener added to the request's signal and removed again cost ~3 µs of the event loop
 * per call in the binary (bench/README.md, "Listening for a client that leaves"), and
 * most non-streamed calls to a fast provider end sooner than this; a model that thinks for
 * seconds gets its listener after this long, and a client that left in the meantime is
 * noticed then. Streams listen from the start: they last, and a client that leaves one
 * early must stop it at once.
 */
export const DEPARTURE_LISTEN_AFTER_MS = 20;

/** One timer for every call's delay (lib/deadlines.ts: adding and cancelling only link and unlink). */
const pending = new Deadlines(DEPARTURE_LISTEN_AFTER_MS);

/**
 * Calls `onLeave` once when the client goes away (its request's `signal` aborts) before the
 * returned `stop` is called: at once if it has gone already, else from the moment it leaves,
 * or with `afterDelay` from the moment it leaves once the call has run
 * DEPARTURE_LISTEN_AFTER_MS (a departure before that is noticed then, at most that much
 * plus one timer turn late). `stop` is idempotent.
 */
export function watchDeparture(signal: AbortSignal, onLeave: () => void, afterDelay: boolean): () => void {
  if (signal.aborted) {
    onLeave();
    return () => {};
  }
  if (!afterDelay) {
    signal.addEventListener('abort', onLeave, { once: true });
    return () => signal.removeEventListener('abort', onLeave);
  }
  let listening = false;
  const deadline = pending.add(() => {
    if (signal.aborted) return onLeave();
    listening = true;
    signal.addEventListener('abort', onLeave, { once: true });
  });
  return () => {
    pending.cancel(deadline);
    if (listening) signal.removeEventListener('abort', onLeave);
    listening = false;
  };
}
