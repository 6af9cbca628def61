import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { selfSigned } from '../faults/self-signed.js';
import { configDir } from './config-files.js';

/**
 * A `tls` file serve cannot use is reported at the file and line of its field, as every other
 * config problem is (found by a new-user trial: "tokometer: tls.cert: cannot read …/nope.pem
 * (ENOENT)" named neither), by `config check` and by `serve` before it opens anything.
 */
async function cli(args: string[], cwd: string): Promise<{ code: number; err: string }> {
  let err = '';
  const ctx: CliContext = { edges: edgesFor('node'), env: {}, cwd, clock: () => Date.now(), out: () => {}, err: (t) => void (err += t), isTTY: false };
  const code = await runCli(args, ctx);
  return { code, err };
}

describe('tls files are reported at their line in the config', () => {
  it('config check: a missing tls.cert', async () => {
    const cwd = configDir({ 'tokometer.yaml': 'listen: { port: 8443 }\ntls:\n  cert: ./nope.pem\n  key: ./nope.key\n' });
    const { code, err } = await cli(['config', 'check'], cwd);
    expect(code).toBe(2);
    expect(err).toBe(`tokometer: tokometer.yaml:3:9: tls.cert: cannot read ${path.join(cwd, 'nope.pem')} (ENOENT)\n`);
  });

  it('config check: a missing tls.key beside a good certificate, and a key that is not one', async () => {
    const cwd = configDir({ 'tokometer.yaml': 'tls:\n  cert: ./cert.pem\n  key: ./nope.key\n' });
    selfSigned(cwd);
    const missing = await cli(['config', 'check'], cwd);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(`tokometer: tokometer.yaml:3:8: tls.key: cannot read ${path.join(cwd, 'nope.key')} (ENOENT)\n`);
    const wrong = configDir({ 'tokometer.yaml': 'tls:\n  cert: ./cert.pem\n  key: ./cert.pem\n' });
    selfSigned(wrong);
    expect((await cli(['config', 'check'], wrong)).err).toMatch(/^tokometer: tokometer\.yaml:3:8: tls\.key: .*cert\.pem is not a PEM private key/);
  });

  it('serve: a missing tls.cert stops it with the same located line', async () => {
    const cwd = configDir({ 'tokometer.yaml': 'tls: { cert: ./nope.pem, key: ./nope.pem }\n' });
    const { code, err } = await cli(['serve', '--db', ':memory:', '--port', '0'], cwd);
    expect(code).toBe(2);
    expect(err).toContain(`tokometer.yaml:1:14: tls.cert: cannot read ${path.join(cwd, 'nope.pem')} (ENOENT)`);
  });
});
