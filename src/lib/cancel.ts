/**
 * One call's cancellation as the handler hands it to an upstream client: what an
 * AbortController and its signal do, as a plain object. The Bun socket client needs one
 * callback, and a controller plus an event listener per call cost ~0.8 µs of the main
 * thread (Bun, a microbenchmark; the native listener list and the objects' finalizers);
 * clients that take an AbortSignal (fetch, undici) ask for one with `signal()`.
 *
 * Invariant: `abort` runs the listener and aborts the signal at most once, with the
 * first reason; a listener set after that is not called (check `aborted` first).
 */
export class CallCancel {
  aborted = false;
  /**
   * True while the upstream client is connecting and has written no byte of the request (set
   * by a client that can tell: the Bun socket client). A client that leaves then has nothing
   * billed, so its request is aborted rather than read on to its answer (handler.ts).
   */
  connecting = false;
  /** The first `abort`'s reason. */
  reason: unknown = undefined;
  private listener: ((reason: unknown) => void) | null = null;
  private controller: AbortController | null = null;

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = null;
    listener?.(reason);
    this.controller?.abort(reason);
  }

  /** Sets the one listener (the upstream client's), or clears it with null. */
  onAbort(listener: ((reason: unknown) => void) | null): void {
    this.listener = listener;
  }

  /** An AbortSignal that aborts with this (built on first use; already aborted if this is). */
  signal(): AbortSignal {
    if (this.controller === null) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }
}
