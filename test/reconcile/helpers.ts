import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';
import { FakeAdminApi, type FakeAdminOptions } from '../support/fake-admin-api.js';
import type { FakeUpstreamOptions } from '../support/fake-upstream.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';
import { startForSuite } from '../support/suite-resource.js';

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

/** A proxy that metered the batches, a fake admin API, and a folder whose tokometer.yaml points the provider at it. */
export interface Scenario {
  h: Harness;
  admin: FakeAdminApi;
  dir: string;
  /** `tokometer reconcile --provider <family>` over the batches' week (2026-11-01 to 11-07) on the proxy's database, in `dir`, with `env` and `args` added. */
  reconcile(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }>;
  close(): Promise<void>;
}

/** What a reconcile scenario sends through the proxy and what its fake admin API reports. */
export interface ScenarioOptions {
  upstream: Omit<FakeUpstreamOptions, 'expectedKey'>;
  batches: readonly Batch[];
  /** The client's headers for the metering key `secret`. */
  auth: (secret: string) => Record<string, string>;
  admin: FakeAdminOptions;
}

/**
 * Sends `batches` through a real proxy (its clock on each batch's day), starts the fake
 * admin API and writes `<dir>/tokometer.yaml` with the provider's base_url at it
 * (`/v1` appended for OpenAI, as its real base URL has).
 */
export async function startScenario(o: ScenarioOptions): Promise<Scenario> {
  const provider = o.admin.family;
  let now = Date.parse(`${o.batches[0]?.day ?? '2026-11-01'}T12:00:00Z`);
  const h = await startHarness({ provider, upstream: o.upstream, overrides: { clock: () => now } });
  await sendBatches(h, o.batches, (ms) => (now = ms), o.auth(h.secret));
  const admin = await new FakeAdminApi(o.admin).start();
  const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-reconcile-'));
  writeFileSync(path.join(dir, 'tokometer.yaml'), `providers:\n  ${provider}: { base_url: "${admin.url}${provider === 'openai' ? '/v1' : ''}" }\n`);
  return {
    h,
    admin,
    dir,
    reconcile: (args, env) => cli(['reconcile', '--provider', provider, '--since', '2026-11-01', '--until', '2026-11-07', '--db', h.dbPath, ...args], { env, cwd: dir }),
    close: async () => {
      await h.close();
      await admin.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * startScenario for the enclosing suite: started before its cases, closed after them.
 * `run` is the scenario's reconcile with the admin key in <FAMILY>_ADMIN_KEY (e.g.
 * OPENAI_ADMIN_KEY), unless the case passes another environment.
 */
export function scenarioForSuite(o: ScenarioOptions): {
  scenario: () => Scenario;
  run: (args: string[], env?: Record<string, string>) => Promise<{ code: number; out: string; err: string }>;
} {
  const scenario = startForSuite(() => startScenario(o));
  const keyEnv = { [`${o.admin.family.toUpperCase()}_ADMIN_KEY`]: o.admin.key };
  return { scenario, run: (args, env = keyEnv) => scenario().reconcile(args, env) };
}
