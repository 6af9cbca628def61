import { createCallWriter } from '../store/call-writer.js';
import type { ProxyStorage } from '../store/proxy-storage.js';
import type { WriteQueueError } from '../store/queue-health.js';
import { SpillFile } from '../store/spill.js';
import { sqliteWriteProbe } from '../store/sqlite-write-probe.js';
import type { RecordWriter } from '../store/types.js';
import { WriteQueue } from '../store/write-queue.js';
import { startThreadWriter, type ThreadWriter } from '../store/writer-client.js';
import type { Logger } from './log.js';
import type { ProxySettings } from './settings.js';

/** What the proxy's call-record writer is chosen and set up from (the part of StartProxyOptions it reads). */
export interface RecordWriterOptions {
  /** The configuration as plain values (config/proxy-settings.ts `proxySettings(config)`). */
  settings: ProxySettings;
  /**
   * What the proxy keeps its data in (store/proxy-storage.ts `openProxyStorage`), owned by
   * the proxy from here on: a SQLite connection the store is built on (and the writer,
   * without `writerThread`), or a PostgreSQL store, whose call records the PostgreSQL
   * writer writes on the main thread (its I/O is asynchronous).
   */
  storage: ProxyStorage;
  log: Logger;
  /**
   * File that takes call records while the database cannot (read-only, full); replayed
   * when it recovers, also after a restart. Default: none (records wait in memory only).
   */
  spillPath?: string;
  /**
   * Write call records on a writer thread with its own connection to `dbPath` (serve on a
   * file database), started from `entry`, the program's entry file (see
   * store/writer-thread.ts); startProxy fails when it cannot start. Default: the write
   * queue writes on the main thread (in-memory databases, in-process tests, the demo).
   */
  writerThread?: { entry: string; dbPath: string };
  /**
   * ms between the writer's probes of the store while it takes writes, so that `/healthz`
   * turns degraded when it stops taking them with no call arriving (store/write-probe.ts;
   * while failing, the probe follows the writer's retry pace). Default 5 s; tests shorten it.
   */
  probeIntervalMs?: number;
}

/** The queue settings of a proxy, shared by the main-thread queue and the writer thread. */
function queueSettings(o: RecordWriterOptions) {
  const maxBuffered = o.settings.store.maxBufferedRecords;
  return {
    flushIntervalMs: o.settings.store.flushIntervalMs,
    maxBuffered,
    spillAfter: Math.max(1, Math.min(10_000, Math.floor(maxBuffered / 2))),
    onError: (error: WriteQueueError) =>
      o.log.error(storeErrorMessage(error.kind, o.spillPath, o.settings.store.onError), { kind: error.kind, count: error.count, cause: String(error.cause ?? '') }),
    onRecover: () => o.log.warn('the database accepts writes again; pending and spilled call records are being written'),
    ...(o.probeIntervalMs !== undefined ? { probeIntervalMs: o.probeIntervalMs } : {}),
  };
}

/**
 * The writer thread when asked for (serve on a file database), else a WriteQueue on the
 * main thread (in-memory databases, in-process tests, the demo): one writer either way,
 * never a fallback from one to the other. With the thread, checkpoints run inside its
 * commits, so the main connection's own automatic checkpoint (rare key and alert writes)
 * is pushed out to a safety net.
 */
export async function recordWriter(o: RecordWriterOptions): Promise<RecordWriter> {
  const settings = queueSettings(o);
  const spill = o.spillPath ? { spill: new SpillFile(o.spillPath, o.settings.store.spillMaxBytes) } : {};
  const storage = o.storage;
  if (storage.engine === 'postgres') return (await import('../store/pg/call-sink.js')).createPostgresRecordWriter(storage.store.db, { ...settings, ...spill });
  const driver = storage.driver;
  // The store's own connection: the writer's statements run synchronously, between its units of work.
  if (!o.writerThread) return new WriteQueue(createCallWriter(driver), { ...settings, ...spill, probe: sqliteWriteProbe(driver) });
  let writer: ThreadWriter;
  try {
    writer = await startThreadWriter({
      ...settings,
      ...o.writerThread,
      ...(o.spillPath ? { spillPath: o.spillPath } : {}),
      spillMaxBytes: o.settings.store.spillMaxBytes,
      onThreadLost: (message) => o.log.error(message),
      onThreadRestarted: (message) => o.log.warn(message),
    });
  } catch (error) {
    throw new Error(`the call-record writer thread did not start, so calls could not be recorded: ${error instanceof Error ? error.message : String(error)}`);
  }
  driver.exec(`PRAGMA wal_autocheckpoint = ${MAIN_AUTOCHECKPOINT_PAGES}`);
  return writer;
}

/** The main connection's wal_autocheckpoint while the writer thread checkpoints: about 40 MB of WAL. */
const MAIN_AUTOCHECKPOINT_PAGES = 10_000;

/** The loud line logged when call records cannot be written. */
function storeErrorMessage(kind: string, spillPath: string | undefined, onError: 'serve' | 'refuse'): string {
  if (kind === 'retrying') return `STORE UNAVAILABLE: call records cannot be written to the database; they are kept in memory${spillPath ? ` and spilled to ${spillPath}` : ''} and written when it recovers`;
  if (kind === 'overflow') return `STORE UNAVAILABLE AND BUFFER FULL: new call records are being dropped; ${onError === 'refuse' ? 'calls are refused with 503 (store.on_error: refuse)' : 'calls are still served (store.on_error: serve)'}`;
  return 'a call record could not be stored and was dropped';
}
