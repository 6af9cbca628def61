import type { LoadedConfig } from '../config/load.js';
import type { Problem } from '../config/problems.js';
import { ConfigError } from '../lib/errors.js';
import { loadTls, TlsFileError, type TlsMaterial } from '../server/tls.js';

/**
 * The config's `tls` certificate and key, read and checked exactly as the server reads them
 * when it starts listening (server/tls.ts loadTls): the material (null without `tls`), or the
 * problem of the file it cannot use, at `tls.cert` or `tls.key`. `config check` lists it beside
 * the file's other problems (config-serve-problems.ts); serve stops on it (loadConfigTls).
 */
export function readConfigTls(files: LoadedConfig['config']['tls']): { tls: TlsMaterial | null; problem: Problem | null } {
  if (!files) return { tls: null, problem: null };
  try {
    return { tls: loadTls(files), problem: null };
  } catch (error) {
    if (error instanceof TlsFileError) return { tls: null, problem: { path: ['tls', error.field], message: error.problem } };
    throw error;
  }
}

/**
 * readConfigTls for `serve`, which checks the files before it opens anything: a file it cannot
 * use is a ConfigError placed at the file and line of `tls.cert` or `tls.key`
 * (LoadedConfig.problemAt), as every other config problem is.
 * @throws ConfigError (exit 2).
 */
export function loadConfigTls(loaded: Pick<LoadedConfig, 'config' | 'problemAt'>): TlsMaterial | null {
  const { tls, problem } = readConfigTls(loaded.config.tls);
  if (problem !== null) throw new ConfigError(loaded.problemAt(problem.path, problem.message));
  return tls;
}
