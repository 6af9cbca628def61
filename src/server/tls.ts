import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../lib/errors.js';
import type { TlsFiles } from './types.js';

/** A certificate and its key, as PEM text, checked to belong together. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** The certificate's subject, for the startup log. */
  subject: string;
  /** ms since the epoch after which clients will refuse the certificate. */
  notAfter: number;
}

/**
 * A `tls` file serve cannot use: the ConfigError `tls.<field>: <problem>`, with the field and
 * the bare problem kept apart so that a caller holding the loaded config can place it at the
 * field's line (cli/config-tls.ts).
 */
export class TlsFileError extends ConfigError {
  constructor(
    readonly field: 'cert' | 'key',
    readonly problem: string,
  ) {
    super(`tls.${field}: ${problem}`);
  }
}

/**
 * Reads `tls.cert` and `tls.key` (relative paths against the working directory) and
 * checks that the key is a private key matching the certificate, so a mistake is a
 * ConfigError (a TlsFileError) naming the field and the file at startup, not a failed handshake later.
 * Never puts key material in a message.
 */
export function loadTls(files: TlsFiles): TlsMaterial {
  const cert = readPem('cert', files.cert);
  const key = readPem('key', files.key);
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw new TlsFileError('cert', `${files.cert} is not a PEM certificate`);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw new TlsFileError('key', `${files.key} is not a PEM private key (an encrypted key is not supported)`);
  }
  if (!x509.checkPrivateKey(privateKey)) throw new TlsFileError('key', `${files.key} is not the private key of the certificate in ${files.cert}`);
  return { cert, key, subject: x509.subject.replace(/\n/g, ', '), notAfter: Date.parse(x509.validTo) };
}

function readPem(field: 'cert' | 'key', file: string): string {
  try {
    return readFileSync(path.resolve(file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TlsFileError(field, `cannot read ${file} (${code})`);
  }
}
