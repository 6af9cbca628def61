import { createCallWriter, type CallWriter } from '../../src/store/call-writer.js';
import { createStore } from '../../src/store/sqlite-store.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import type { Store } from '../../src/store/facade.js';

/**
 * A Store for tests, with what tests need beside the facade: the driver (to check rows
 * with SQL) and a synchronous `insertCalls` through the hot-path writer (call-writer.ts)
 * on the same connection. Runtime-neutral: the bun:sqlite contract lane uses it too.
 */
export type TestStore = Store & {
  readonly driver: SqlDriver;
  insertCalls(records: readonly CallRecord[]): void;
};

/** Builds the store on `driver` (migrating it, or with `readonly` only checking it); the store owns the driver. */
export function testStore(driver: SqlDriver, options: { readonly?: boolean } = {}): TestStore {
  const store = createStore(driver, options);
  let writer: CallWriter | undefined;
  return {
    ...store,
    driver,
    insertCalls(records) {
      writer ??= createCallWriter(driver);
      writer.insertCalls(records);
    },
  };
}
