/** Milliseconds since the Unix epoch, UTC. Injected wherever time matters so tests can move it. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** Monotonic milliseconds for measuring durations (latency, time to first byte). */
export function monotonicMs(): number {
  return performance.now();
}
