/**
 * The writer thread of bench/meter-floor.mjs (run by Bun): each message is a JSON array of
 * call records, inserted into one `calls` table in one transaction, with tokometer's
 * write pragmas (WAL, synchronous NORMAL).
 */
import { Database } from 'bun:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database(workerData.db);
db.exec('PRAGMA journal_mode = WAL');
db.exec('PRAGMA synchronous = NORMAL');
db.exec('CREATE TABLE IF NOT EXISTS calls (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, model TEXT, status INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_nano INTEGER NOT NULL, latency_ms REAL NOT NULL)');
db.exec('CREATE INDEX IF NOT EXISTS calls_ts ON calls (ts)');
const insert = db.prepare('INSERT INTO calls (ts, model, status, input_tokens, output_tokens, cost_nano, latency_ms) VALUES (?, ?, ?, ?, ?, ?, ?)');
const write = db.transaction((records) => {
  for (const r of records) insert.run(r.ts, r.model, r.status, r.input, r.output, r.cost, r.ms);
});
parentPort.on('message', (text) => write(JSON.parse(text)));
