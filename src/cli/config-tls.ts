import type { LoadedConfig } from '../config/load.js';
import { ConfigError } from '../lib/errors.js';
import { loadTls, TlsFileError, type TlsMaterial } from '../server/tls.js';

/**
 * The config's `tls` certificate and key, read and checked exactly as the server reads them
 * when it starts listening (server/tls.ts loadTls); null without `tls`. `config check` shows
 * what it read, and `serve` checks the files before it opens anything. A file it cannot use
 * is a ConfigError placed at the file and line of `tls.cert` or `tls.key`
 * (LoadedConfig.problemAt), as every other config problem is.
 * @throws ConfigError (exit 2).
 */
export function loadConfigTls(loaded: Pick<LoadedConfig, 'config' | 'problemAt'>): TlsMaterial | null {
  const files = loaded.config.tls;
  if (!files) return null;
  try {
    return loadTls(files);
  } catch (error) {
    if (error instanceof TlsFileError) throw new ConfigError(loaded.problemAt(['tls', error.field], error.problem));
    throw error;
  }
}
