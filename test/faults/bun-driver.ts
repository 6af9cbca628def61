import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../support/spawn-cli.js';
import { within } from './raw-client.js';

/** Starts bun-proxy.ts (the proxy on Bun from source) with extra ServeOptions such as short timeouts or TLS. */
export function spawnBunProxy(config: string, db: string, extra: object): ChildProcess {
  const bun = path.join(REPO_ROOT, 'node_modules', '.bin', 'bun');
  return spawn(bun, [path.join(REPO_ROOT, 'test', 'faults', 'bun-proxy.ts'), config, db, JSON.stringify(extra)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Waits for bun-proxy.ts's `listening on URL key SECRET` line. */
export function listening(child: ChildProcess): Promise<{ url: string; secret: string }> {
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return within(
    new Promise((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (\S+) key (mk_\w+)/.exec(out);
        if (m) resolve({ url: m[1] as string, secret: m[2] as string });
      });
      child.once('exit', (code) => reject(new Error(`bun-proxy exited with ${code}: ${err}`)));
    }),
    20_000,
    'bun-proxy start',
  );
}
