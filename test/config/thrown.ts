import { expect } from 'vitest';

/**
 * The error `run` throws, after checking that it is an instance of `type`. Fails the test
 * when `run` returns without throwing.
 */
export function thrownBy<E extends Error>(run: () => unknown, type: abstract new (...args: never[]) => E): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, but nothing was thrown`);
}
