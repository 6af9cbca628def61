import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UPSTREAM_KEY } from '../support/proxy-harness.js';
import { REPO_ROOT } from '../support/spawn-cli.js';
import { within } from './raw-client.js';

/** Starts bun-proxy.ts (the proxy on Bun from source) with extra ServeOptions such as short timeouts or TLS. */
export function spawnBunProxy(config: string, db: string, extra: object, env: Record<string, string> = {}): ChildProcess {
  const bun = path.join(REPO_ROOT, 'node_modules', '.bin', 'bun');
  return spawn(bun, [path.join(REPO_ROOT, 'test', 'faults', 'bun-proxy.ts'), config, db, JSON.stringify(extra)], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
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

/** A running bun-proxy.ts in a temp folder of its own, in front of a fake provider. */
export interface BunProxy {
  /** `http(s)://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** A metering key the proxy accepts. */
  secret: string;
  /** The proxy's SQLite database file. */
  db: string;
  /** Everything the proxy wrote to stderr (its log) so far. */
  stderr(): string;
  /** SIGTERM and waits for the exit (the database stays for reading); `close` still cleans up. */
  terminate(): Promise<void>;
  /** SIGTERM, waits for the exit, then stops the provider and deletes the folder. */
  close(): Promise<void>;
}

/**
 * Writes a config whose openai provider is `upstream` (UPSTREAM_KEY, plus `providerFields`
 * such as `idle_timeout_ms: 300`; the write queue flushes every 5 ms) and starts
 * bun-proxy.ts on it with the extra ServeOptions `serve`. The proxy owns `upstream` from
 * then on: `close` (or a failed start) stops it too.
 */
export async function startBunProxy(upstream: { url: string; stop(): Promise<void> }, serve: object, providerFields = ''): Promise<BunProxy> {
  const config = `providers:\n  openai: { base_url: "${upstream.url}", api_key: "${UPSTREAM_KEY}"${providerFields ? `, ${providerFields}` : ''} }\nstore: { flush_interval_ms: 5 }\n`;
  return startBunProxyOn(config, upstream, serve);
}

/** startBunProxy on a whole config text, with extra environment variables for the proxy (e.g. TOKOMETER_UPSTREAM_CLIENT). */
export async function startBunProxyOn(configText: string, upstream: { stop(): Promise<void> }, serve: object, env: Record<string, string> = {}): Promise<BunProxy> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-bun-'));
  const config = path.join(dir, 'bun.yaml');
  const db = path.join(dir, 'bun.db');
  writeFileSync(config, configText);
  const child = spawnBunProxy(config, db, serve, env);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const terminate = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const close = async () => {
    await terminate();
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const { url, secret } = await listening(child);
    return { url, port: Number(new URL(url).port), secret, db, stderr: () => stderr, terminate, close };
  } catch (error) {
    await close();
    throw error;
  }
}
