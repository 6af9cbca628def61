import path from 'node:path';
import type { Env, LoadedConfig } from '../config/load.js';
import type { Problem } from '../config/problems.js';
import { telemetryOptions } from '../config/telemetry-schema.js';
import { ConfigError } from '../lib/errors.js';
import type { TlsMaterial } from '../server/tls.js';
import { resolveTelemetry, type TelemetrySettings } from '../telemetry/settings.js';
import { configDbProblem } from './config-db.js';
import { readConfigTls } from './config-tls.js';
import { spillProblem } from './spill-folder.js';

/** What `config check` found serve could not use, beside the file's own problems. */
export interface ServeProblems {
  /** At their fields (`db`, `store.spill_path`, `tls.cert` / `tls.key`), in serve's words. */
  problems: Problem[];
  /** Problems with no field in the file (OpenTelemetry settings, which the OTEL_* variables may set), as serve words them. */
  unplaced: string[];
  /** The certificate read from the `tls` files; null without them or when they cannot be used. */
  tls: TlsMaterial | null;
  /** The resolved OpenTelemetry export; null when off or when it cannot be used. */
  telemetry: TelemetrySettings | null;
}

/**
 * Every check `config check` runs of what serve does with `config` beyond the file's own
 * problems, collected rather than thrown at the first so that one run lists them all: a
 * SQLite `db` serve could not create (cli/config-db.ts), a `store.spill_path` it could not
 * make or write (cli/spill-folder.ts), `tls` files it could not use (cli/config-tls.ts) and
 * OpenTelemetry settings it could not use (telemetry/settings.ts). Creates nothing.
 */
export function serveProblems(config: LoadedConfig['config'], env: Env, cwd: string): ServeProblems {
  const problems: Problem[] = [];
  const unplaced: string[] = [];
  const db = configDbProblem(config, env, cwd);
  if (db !== null) problems.push({ path: ['db'], message: db });
  const spillPath = config.store.spill_path;
  const spill = spillPath === undefined ? null : spillProblem(path.resolve(cwd, spillPath), 'store.spill_path');
  if (spill !== null) problems.push({ path: ['store', 'spill_path'], message: spill });
  const { tls, problem: tlsProblem } = readConfigTls(config.tls);
  if (tlsProblem !== null) problems.push(tlsProblem);
  let telemetry: TelemetrySettings | null = null;
  try {
    telemetry = resolveTelemetry(telemetryOptions(config.telemetry), env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    unplaced.push(error.message);
  }
  return { problems, unplaced, tls, telemetry };
}
