import type { CallRecord } from '../store/types.js';

/**
 * What listeners learn about a finished call beyond its record: facts that are not
 * stored (W3C trace context, the answered model, finish reasons, the refusing budget),
 * for telemetry. Never a header that can hold a secret.
 */
export interface FinishedCall {
  /** The client's `traceparent` header, if it sent one. */
  readonly traceparent: string | undefined;
  /** The client's `tracestate` header, if it sent one. */
  readonly tracestate: string | undefined;
  /** Model as the provider answered it; null when the response did not say. */
  readonly responseModel: string | null;
  /** Why generation stopped, per choice, as the provider reported it (e.g. `stop`, `end_turn`); null when unknown. */
  readonly finishReasons: readonly string[] | null;
  /** Name of the budget that refused the call; null when no budget refused it. */
  readonly budget: string | null;
}

/** Told about every finished call once, synchronously, on the event loop: must not block (enqueue, count). */
export type FinishedListener = (record: CallRecord, call: FinishedCall) => void;

/**
 * The single place a finished call is announced: the call recorder announces each call
 * exactly once, and every subscriber (the record writer, /metrics, telemetry, tests)
 * sees it, in subscription order. A listener that throws is reported and does not keep
 * the others from seeing the call.
 */
export class FinishedCalls {
  private listeners: FinishedListener[] = [];

  /** `onListenerError` hears what a listener threw (a log line in serve). */
  constructor(private readonly onListenerError: (error: unknown) => void) {}

  /** Adds a listener; returns a function that removes it. */
  subscribe(listener: FinishedListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  announce(record: CallRecord, call: FinishedCall): void {
    for (const listener of this.listeners) {
      try {
        listener(record, call);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
