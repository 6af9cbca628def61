import { statSync } from 'node:fs';
import type { ConfigFacts } from '../config/drift.js';
import type { Env } from '../config/load.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../proxy/log.js';

/**
 * Serve reads its config once, at start: an edit of the file applies at the next start
 * (there is no hot reload). So that an edit is not silently ignored, serve compares the file
 * with the config it started with on SIGHUP, and when the file's modification time changed
 * (looked at every `pollMs`, as the price poll runs), and logs what differs:
 * `config changed since start: keys.app.budget.limit_usd 1 → 0.05; restart serve to apply them`
 * (a warning, once per state of the file), `config unchanged` on SIGHUP otherwise. A file
 * that no longer loads is logged as an error with its problems; serve keeps running.
 * The config modules are imported only then: serve's own process loads none at its start
 * (test/architecture, "serve-process").
 */
export interface ConfigWatchOptions {
  /** The file serve read (absolute), or null when it ran on defaults: nothing to compare then. */
  file: string | null;
  /** The config's leaves at start (config/drift.ts configFacts). */
  started: ConfigFacts;
  /** What loadConfig needs to read the file as serve did. */
  env: Env;
  cwd: string;
  log: Logger;
  /** ms between looks at the file's modification time; 0 = only on SIGHUP. */
  pollMs: number;
}

export interface ConfigWatch {
  /** Compares the file with the start now and logs the result (SIGHUP); resolves once logged, never rejects. */
  check(): Promise<void>;
  /** Stops the modification-time look. */
  stop(): void;
}

export function startConfigWatch(o: ConfigWatchOptions): ConfigWatch {
  /** What was last logged for the file's state, so the timer repeats nothing. */
  let lastLogged = '';
  let seenMtime = mtimeOf(o.file);
  /** The comparison in progress: checks run one after another, never overlapping. */
  let comparing: Promise<void> = Promise.resolve();
  const compare = (always: boolean): Promise<void> => (comparing = comparing.then(() => compareNow(always)));
  const compareNow = async (always: boolean) => {
    if (o.file === null) {
      if (always) o.log.info('config: serve runs on the defaults (no config file): nothing to compare');
      return;
    }
    let line: string;
    let level: 'info' | 'warn' | 'error';
    try {
      const [{ loadConfig }, { changesText, configChanges, configFacts }] = await Promise.all([import('../config/load.js'), import('../config/drift.js')]);
      const now = configFacts(loadConfig({ path: o.file, env: o.env, cwd: o.cwd }).config);
      const changes = configChanges(o.started, now);
      level = changes.length === 0 ? 'info' : 'warn';
      line = changes.length === 0 ? `config unchanged since start (${o.file})` : `config changed since start: ${changesText(changes)}; restart serve to apply them (serve reads its config only at start)`;
    } catch (error) {
      level = 'error';
      line = `config ${o.file} cannot be read as it is now, serve keeps running with the config it started with; fix it before the next restart: ${errorMessage(error)}`;
    }
    if (!always && line === lastLogged) return;
    lastLogged = line;
    if (level !== 'info' || always) o.log[level](line);
  };
  const timer =
    o.pollMs > 0 && o.file !== null
      ? setInterval(() => {
          const mtime = mtimeOf(o.file);
          if (mtime === seenMtime) return;
          seenMtime = mtime;
          void compare(false);
        }, o.pollMs)
      : null;
  timer?.unref?.();
  return {
    check: () => compare(true),
    stop: () => {
      if (timer !== null) clearInterval(timer);
    },
  };
}

/** The file's modification time in ms, or -1 when it cannot be read. */
function mtimeOf(file: string | null): number {
  if (file === null) return -1;
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}
