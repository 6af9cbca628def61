import type { Command } from 'commander';
import type { Clock } from '../lib/clock.js';
import type { DbLocation } from '../lib/db-location.js';
import { UsageError } from '../lib/errors.js';

/**
 * The pieces the commands that open the database share (audit, report, reconcile and
 * prices update; demo takes the colour decision and closingAfter): their last flags and
 * action, `--format` parsing, the colour decision, and closing the store whatever happens.
 */

/** The flags of the reading commands (report, audit, reconcile): the window, the output format, the database and the config file. */
export interface StoreCommandFlags {
  since?: string;
  until?: string;
  /** `--format`; unset means table. */
  format?: string;
  /** `--json`: the same as `--format json` (as `keys list --json` takes it). */
  json?: boolean;
  db?: string;
  config?: string;
}

/** Where a command prints: standard output, and what decides whether it is coloured (wantsColor). */
export interface TerminalOutput {
  out: (text: string) => void;
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
}

/** What the read-only reports (report, audit) need besides their own parts (habit 7: narrow dependencies). */
export interface ReadOnlyStoreDeps<S> extends TerminalOutput {
  /** Opens the store at `db` (SQLite file or PostgreSQL URL) read-only; exit 2 naming the path when it is missing or empty. */
  openStore: (db: DbLocation) => Promise<S>;
  /** --db, else $TOKOMETER_DB, else the config's db, else ./tokometer.db; and which of them named it. */
  resolveDb: (dbFlag?: string, configPath?: string) => DbLocation;
  clock: Clock;
}

/** Commander's collector for a repeatable option: each occurrence appends its value (the first to none). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds the options of a command that opens the database: `--db <path>` (described by `dbHelp`) and `--config <file>`. */
export function storeFlags(cmd: Command, dbHelp: string): Command {
  return cmd.option('--db <path>', dbHelp).option('--config <file>', 'config file');
}

/**
 * Ends the definition of a command that opens the database and takes no arguments: its
 * storeFlags, and `run` as the command's action, called with the parsed flags.
 */
export function withStoreFlags<F>(cmd: Command, dbHelp: string, run: (flags: F) => Promise<void>): Command {
  return storeFlags(cmd, dbHelp).action(async (flags: F) => {
    await run(flags);
  });
}

/** `table, json or md`: a command's output formats as its help and its errors name them. */
export function formatList(formats: readonly string[]): string {
  return formats.length < 2 ? formats.join('') : `${formats.slice(0, -1).join(', ')} or ${formats[formats.length - 1]}`;
}

/** The help of `--format <format>`: its formats, table by default. */
export function formatHelp(formats: readonly string[]): string {
  return `${formatList(formats)} (default: table)`;
}

/** The help of `--json`, which every command that prints JSON takes. */
export const JSON_FLAG_HELP = 'same as --format json';

/**
 * The output format `--format` and `--json` ask for, as one of `formats` (table when neither
 * is given); a UsageError naming them when it is not one, or when `--json` is given beside
 * another `--format`.
 */
export function parseFormat<F extends string>(flags: Pick<StoreCommandFlags, 'format' | 'json'>, formats: readonly F[]): F {
  if (flags.json === true && flags.format !== undefined && flags.format !== 'json') {
    throw new UsageError(`--json and --format ${flags.format} ask for different outputs; give one of them.`);
  }
  const raw = flags.json === true ? 'json' : (flags.format ?? 'table');
  if ((formats as readonly string[]).includes(raw)) return raw as F;
  throw new UsageError(`--format "${raw}" is not supported; use ${formatList(formats)}.`);
}

/** Colour in terminal output: standard output is a terminal and NO_COLOR is unset or empty (no-color.org). */
export function wantsColor(io: Pick<TerminalOutput, 'isTTY' | 'env'>): boolean {
  return io.isTTY && !(io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '');
}

/** Runs `use` on an opened store, then closes the store whether `use` returned or threw. */
export async function closingAfter<S extends { close(): Promise<void> }, T>(store: S, use: (store: S) => Promise<T>): Promise<T> {
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}
