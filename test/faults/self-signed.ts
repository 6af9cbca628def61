import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** PEM files made by selfSigned: `cert.pem` and `key.pem` belong together, `other-key.pem` to nothing. */
export interface SelfSignedPem {
  cert: string;
  key: string;
  otherKey: string;
}

/** Makes a self-signed certificate for 127.0.0.1 (and a second, unrelated key) in `dir` with openssl. */
export function selfSigned(dir: string): SelfSignedPem {
  const files = { cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem'), otherKey: path.join(dir, 'other-key.pem') };
  const openssl = (args: string[]) => {
    try {
      execFileSync('openssl', args, { stdio: 'pipe' });
    } catch (e) {
      const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
      throw new Error(missing ? 'the TLS tests need the openssl command (Debian package openssl) to make a test certificate' : `openssl ${args[0]} failed: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
    }
  };
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', files.key, '-out', files.cert]);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', files.otherKey]);
  return files;
}
