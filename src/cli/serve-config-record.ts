import { isPostgresUrl } from '../lib/db-location.js';
import type { BudgetState } from '../budget/types.js';
import { effectiveKeys, type KeyDeclaration } from '../keys/effective.js';
import { raisedAtStart, recordConfigChanges, recordRearmedAtStart } from '../keys/config-history.js';
import { errorMessage } from '../lib/errors.js';
import type { Store } from '../store/facade.js';
import type { BudgetLimitRecord, StoreMeta } from '../store/types.js';
import { runningServeOn } from './serve-lock.js';

/**
 * Which config the running `serve` enforces, for the commands that show the config's values
 * as enforced (`keys list`, `tui` on the database). They read the config file; serve read it
 * at its start and does not reload it. Serve leaves the fingerprint of its `keys:` and
 * `budgets:` (config/drift.ts) and its start time where the others can read it, in the
 * lightest place each store has: on SQLite the serve marker `<db>.serve` (cli/serve-lock.ts),
 * which exists exactly while that one serve runs; on PostgreSQL, where replicas share the
 * database and no marker exists, the rows serve_config and serve_started_at of
 * tokometer_meta (the newest serve's start; a replica started with another config
 * overwrites them).
 */

/** The 52-bit number PostgreSQL's BIGINT row holds for a sha256 hex fingerprint (exact in a JS number). */
export const fingerprintNumber = (sha256: string): number => Number.parseInt(sha256.slice(0, 13), 16);

/** Records, at serve's start, the config it enforces (PostgreSQL; SQLite's marker holds it already). */
export async function recordServedConfig(dbPath: string, meta: Pick<StoreMeta, 'recordServedConfig'>, sha256: string, startedAt: number): Promise<void> {
  if (isPostgresUrl(dbPath)) await meta.recordServedConfig(fingerprintNumber(sha256), startedAt);
}

/**
 * The line to show when the config the command read (`mine`, its declaredFingerprint,
 * config/drift.ts) is not what the serve on `dbPath` enforces, or null when it is, or no
 * serve runs (or says nothing of its config).
 */
export async function configDriftNote(dbPath: string, meta: Pick<StoreMeta, 'servedConfig'>, mine: string): Promise<string | null> {
  if (isPostgresUrl(dbPath)) {
    const served = await meta.servedConfig().catch(() => null);
    if (served === null || served.fingerprint === fingerprintNumber(mine)) return null;
    return note('the newest serve on this database', served.startedAt, '');
  }
  if (dbPath === ':memory:') return null;
  const running = runningServeOn(dbPath);
  if (running === null || running.configSha256 === mine) return null;
  return note('the running serve', running.startedAt, ` (pid ${running.pid})`);
}

function note(who: string, startedAt: number, pid: string): string {
  const at = new Date(startedAt).toISOString();
  return `note: the config changed after ${who} started at ${at.slice(11, 16)} UTC on ${at.slice(0, 10)}${pid}; the values marked (config) are the file's, not yet enforced: restart serve to apply them`;
}

/** What a starting serve records of its config (recordConfigAtStart). */
export interface ConfigAtStart {
  dbPath: string;
  store: Pick<Store, 'meta' | 'keys' | 'history' | 'unitOfWork'>;
  /** The fingerprint of the config's keys and budgets (config/drift.ts). */
  sha256: string;
  startedAt: number;
  declared: Readonly<Record<string, KeyDeclaration>>;
  /** The budget_limits rows the previous serve left, read before this start wrote its own. */
  known: readonly BudgetLimitRecord[];
  /** The budgets as seeded (spend of this period). */
  budgets: readonly BudgetState[];
  warn: (line: string) => void;
}

/**
 * At serve's start: records the config it enforces (PostgreSQL) and, in `keys history`, what
 * the config changed of each key since the last start and the alerts a raised limit re-armed
 * (keys/config-history.ts). A failure is logged: serving goes on.
 */
export async function recordConfigAtStart(o: ConfigAtStart): Promise<void> {
  try {
    await recordServedConfig(o.dbPath, o.store.meta, o.sha256, o.startedAt);
    await recordConfigChanges(o.store, o.declared, o.startedAt);
    const keys = effectiveKeys(await o.store.keys.list({ includeRevoked: false }), o.declared);
    const budgets = new Map(keys.flatMap((k) => (k.budget === null ? [] : [[k.name, k.budget] as const])));
    const spent = new Map(o.budgets.filter((b) => b.kind === 'key').map((b) => [b.name, b.spentNano] as const));
    await recordRearmedAtStart(o.store, raisedAtStart(o.known, budgets, spent), o.startedAt);
  } catch (error) {
    o.warn(`could not record the config serve started with in the database (keys history, what keys list compares with): ${errorMessage(error)}`);
  }
}
