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

/**
 * Runs `more` on a resource just opened and returns the resource; when `more` throws, the
 * resource is closed before the error goes on, so a start that fails halfway leaks nothing.
 */
export async function withMore<T extends { close(): Promise<void> | void }>(resource: T, more: (resource: T) => Promise<void> | void): Promise<T> {
  try {
    await more(resource);
    return resource;
  } catch (error) {
    await resource.close();
    throw error;
  }
}
