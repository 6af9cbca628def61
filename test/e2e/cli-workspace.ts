import path from 'node:path';
import { expect } from 'vitest';
import { tempDb } from '../budget/support.js';
import { runCli, startServe, type Build, type CliResult } from '../support/spawn-cli.js';

/** What cliWorkspace gives a suite. */
export interface CliWorkspace {
  /** The temp folder and the database file in it; `cleanup()` removes the folder. */
  db: ReturnType<typeof tempDb>;
  /** The config file, tokometer.yaml in the folder: the suite writes it. */
  config: string;
  /** Runs `tokometer ARGS --db DB --config CONFIG` in the folder. */
  cli(...args: string[]): Promise<CliResult>;
  /** Runs `keys create ARGS`, which must exit 0, and returns the new key's secret. */
  createKey(...args: string[]): Promise<string>;
  /** Starts `serve` on a free port on the database, with `configFile` (default: `config`). */
  startServe(configFile?: string): ReturnType<typeof startServe>;
}

/**
 * A temp folder with a database and a config file, and the `build` CLI pointed at both:
 * for suites that run `serve` and drive it with commands from other processes on the same
 * database. Created when the suite is defined; the suite calls `db.cleanup()` in afterAll.
 */
export function cliWorkspace(build: Build): CliWorkspace {
  const db = tempDb();
  const config = path.join(db.dir, 'tokometer.yaml');
  const cli = (...args: string[]) => runCli(build, [...args, '--db', db.dbPath, '--config', config], { cwd: db.dir });
  return {
    db,
    config,
    cli,
    createKey: async (...args) => {
      const created = await cli('keys', 'create', ...args);
      expect(created.code).toBe(0);
      return /mk_[0-9A-Za-z]{32}/.exec(created.stdout)![0];
    },
    startServe: (configFile = config) => startServe(build, ['--config', configFile, '--db', db.dbPath, '--port', '0'], { cwd: db.dir }),
  };
}
