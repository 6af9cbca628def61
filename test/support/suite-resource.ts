import { afterAll, beforeAll } from 'vitest';

/**
 * Registers, in the enclosing suite, a beforeAll that runs `start` and an afterAll that
 * closes what it started (when it started; also after a failed case). Returns a getter for
 * the cases, which throws when called before the start finished or after it failed.
 * `timeoutMs` is the beforeAll's timeout (default: the config's hookTimeout).
 */
export function startForSuite<T extends { close(): Promise<void> | void }>(start: () => Promise<T>, timeoutMs?: number): () => T {
  let started: T | undefined;
  beforeAll(async () => {
    started = await start();
  }, timeoutMs);
  afterAll(async () => {
    await started?.close();
  });
  return () => {
    if (started === undefined) throw new Error('the suite resource did not start (see the beforeAll error)');
    return started;
  };
}
