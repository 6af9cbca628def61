import { existsSync, readFileSync } from 'node:fs';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import type { Harness } from '../support/proxy-harness.js';

/** Run `reconcile` as of this instant (after the November 2026 window the tests use). */
export const NOW = Date.parse('2026-12-01T00:00:00Z');

/** Runs the CLI in-process with `env` and the clock at `now` (default NOW). */
export async function cli(args: string[], o: { env?: Record<string, string>; cwd: string; now?: number }): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const ctx: CliContext = {
    edges: edgesFor('node'),
    env: o.env ?? {},
    cwd: o.cwd,
    clock: () => o.now ?? NOW,
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    isTTY: false,
  };
  const code = await runCli(args, ctx);
  return { code, out, err };
}

/** One batch of identical calls sent through the proxy on one day (at noon UTC). */
export interface Batch {
  /** Case id: the fake upstream answers with this batch's usage. */
  id: string;
  day: string;
  n: number;
  /** The request body (model as the client asks for it). */
  request: Record<string, unknown>;
  /** The response body the fake provider answers with (model as answered, usage). */
  response: Record<string, unknown>;
  /** Path under the proxy's provider prefix. */
  path: string;
}

/**
 * Sends every batch through the proxy with the proxy's clock on the batch's day, then
 * flushes the write queue. `auth` gives the client's headers for the metering key.
 */
export async function sendBatches(h: Harness, batches: readonly Batch[], setNow: (ms: number) => void, auth: Record<string, string>): Promise<void> {
  for (const b of batches) {
    setNow(Date.parse(`${b.day}T12:00:00Z`));
    for (let i = 0; i < b.n; i++) {
      const res = await fetch(`${h.baseUrl()}${b.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ ...b.request, user: b.id }) });
      if (res.status !== 200) throw new Error(`call ${b.id} answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    }
  }
  h.rows();
}

/** Every byte of the database (main file and WAL) as latin1 text, to search for secrets. */
export function databaseBytes(dbPath: string): string {
  return [dbPath, `${dbPath}-wal`].filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
}
