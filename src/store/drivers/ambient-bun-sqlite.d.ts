/**
 * The small part of `bun:sqlite` that the Bun driver uses. No `@types/bun` is installed,
 * and Node's tsc must still type-check the driver, so the shape is declared here. The file
 * name must not match `bun-*.ts`: tsconfig.build.json excludes those, yet src/edges.ts
 * imports the driver dynamically, which pulls it into the Node build.
 */
declare module 'bun:sqlite' {
  type BunSqlValue = number | string | bigint | null | Uint8Array;

  export interface Statement {
    run(...params: BunSqlValue[]): { changes: number; lastInsertRowid: number | bigint };
    /** Returns null (not undefined) when there is no row. */
    get(...params: BunSqlValue[]): unknown;
    all(...params: BunSqlValue[]): unknown[];
    /** Frees the statement; it cannot run again. A connection closes only once all of its statements are finalized. */
    finalize(): void;
  }

  /** A function wrapped in BEGIN … COMMIT; the variants pick the BEGIN flavour. */
  export interface TransactionFn<A extends unknown[], R> {
    (...args: A): R;
    deferred(...args: A): R;
    immediate(...args: A): R;
    exclusive(...args: A): R;
  }

  export interface DatabaseOptions {
    readonly?: boolean;
    create?: boolean;
    readwrite?: boolean;
    strict?: boolean;
    safeIntegers?: boolean;
  }

  export class Database {
    constructor(filename: string, options?: DatabaseOptions);
    exec(sql: string): void;
    prepare(sql: string): Statement;
    transaction<A extends unknown[], R>(fn: (...args: A) => R): TransactionFn<A, R>;
    close(throwOnError?: boolean): void;
  }
}
