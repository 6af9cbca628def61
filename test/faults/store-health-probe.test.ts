import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { AsyncWriteQueue, type RecordSink } from '../../src/store/async-write-queue.js';
import type { WriteQueueError } from '../../src/store/queue-health.js';
import { startThreadWriter, type ThreadWriter } from '../../src/store/writer-client.js';
import { startHarness, UPSTREAM_KEY, waitFor, type Harness } from '../support/proxy-harness.js';
import { NODE_ENTRY } from '../support/spawn-cli.js';
import { openStore } from '../store/fixtures.js';

/**
 * /healthz tells whether the store can be written now, with no call arriving: a store that
 * turns read-only is noticed by the writer's probe, and one that recovers is seen by it too.
 *
 * How writes are made to fail: these tests may run as root, where `chmod a-w` stops no
 * write (and a connection opened before the chmod keeps writing anyway). So the store's
 * connection is made read-only with `PRAGMA query_only = 1`: SQLite itself then answers
 * every write, the probe's included, SQLITE_READONLY, as it does on a read-only file. The
 * writer thread has its own connection, which the test cannot reach: there another
 * connection holds the write lock past the thread's busy timeout (SQLITE_BUSY), which
 * fails its writes the same way. Nothing is called meanwhile.
 */

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
/** The probe's interval while the store is writable in these cases, ms (production: 5 s). */
const PROBE_MS = 100;

const healthOf = async (h: Harness) => (await (await fetch(`${h.proxy.url}/healthz`)).json()) as Record<string, unknown>;

describe('/healthz follows the store without traffic', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('SQLite: turns degraded when the connection goes read-only, and ok again when it can write, with no call', async () => {
    h = await startHarness({
      upstream: { reply: () => ({ body: CHAT }) },
      configYaml: (url) => `providers:\n  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 20 }\n`,
      overrides: { probeIntervalMs: PROBE_MS },
    });
    expect(await healthOf(h)).toEqual({ status: 'ok' });
    h.driver.exec('PRAGMA query_only = 1');
    const t0 = Date.now();
    await waitFor(() => h!.proxy.queue.degraded, 2000, 'the read-only store to be noticed');
    expect(Date.now() - t0).toBeLessThan(PROBE_MS * 10);
    expect(await healthOf(h)).toMatchObject({ status: 'degraded', store: 'failing', pending_records: 0 });
    h.driver.exec('PRAGMA query_only = 0');
    await waitFor(() => !h!.proxy.queue.degraded, 2000, 'the writable store to be noticed');
    expect(await healthOf(h)).toEqual({ status: 'ok' });
    // The probe wrote nothing.
    expect(h.rows()).toHaveLength(0);
  });
});

describe('the writer thread probes its own connection', () => {
  let dir: string | undefined;
  let writer: ThreadWriter | undefined;
  afterEach(async () => {
    await writer?.close();
    writer = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports degraded while a write lock held elsewhere outlasts its busy timeout, and ok once it goes, with no record', { timeout: 10_000 }, async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-probe-'));
    const dbPath = path.join(dir, 'tokometer.db');
    openStore(openDriver, dbPath).close();
    const errors: WriteQueueError[] = [];
    let recovered = 0;
    writer = await startThreadWriter({
      entry: NODE_ENTRY,
      dbPath,
      spillMaxBytes: 1 << 20,
      flushIntervalMs: 20,
      busyTimeoutMs: 50,
      probeIntervalMs: PROBE_MS,
      maxBuffered: 1000,
      spillAfter: 500,
      onError: (e) => errors.push(e),
      onRecover: () => recovered++,
      onThreadLost: (m) => expect.fail(m),
    });
    expect(writer.degraded).toBe(false);
    const other = openDriver(dbPath);
    other.exec('BEGIN IMMEDIATE');
    try {
      await waitFor(() => writer!.degraded, 3000, 'the locked store to be reported');
      expect(errors.map((e) => [e.kind, e.count])).toEqual([['retrying', 0]]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await waitFor(() => !writer!.degraded, 3000, 'the store to be writable again');
    expect(recovered).toBe(1);
  });
});

describe('the asynchronous queue (PostgreSQL) probes its sink', () => {
  it('turns degraded when the probe fails and ok once it passes, with nothing pending', async () => {
    let writable = true;
    let probes = 0;
    const sink: RecordSink = {
      write: async () => {},
      isPermanent: () => false,
      probe: async () => {
        probes++;
        if (!writable) throw Object.assign(new Error('cannot execute UPDATE in a read-only transaction'), { code: '25006' });
      },
    };
    const errors: WriteQueueError[] = [];
    let recovered = 0;
    const queue = new AsyncWriteQueue(sink, { flushIntervalMs: 10, maxRetryMs: 40, probeIntervalMs: PROBE_MS, onError: (e) => errors.push(e), onRecover: () => recovered++ });
    try {
      await waitFor(() => probes > 0, 2000, 'a first probe');
      expect(queue.degraded).toBe(false);
      writable = false;
      await waitFor(() => queue.degraded, 2000, 'the read-only sink to be noticed');
      expect(errors.map((e) => [e.kind, e.count])).toEqual([['retrying', 0]]);
      writable = true;
      await waitFor(() => !queue.degraded, 2000, 'the writable sink to be noticed');
      expect(recovered).toBe(1);
    } finally {
      await queue.drain();
    }
    // Stopped by the drain (shutdown): no probe runs on a closed store.
    const after = probes;
    await new Promise((r) => setTimeout(r, PROBE_MS * 3));
    expect(probes).toBe(after);
  });
});
