/**
 * Store ingestion, driven directly (no HTTP): generated CallRecords into a temp SQLite
 * file through the real call writer (dist/js store/call-writer.js), on the runtime's own driver — better-sqlite3
 * under Node, bun:sqlite under the bun binary.
 *
 *   node bench/store-ingest.mjs --ingest 100000 [--batch 1000]   → calls/s, as the write queue writes them
 *   node_modules/.bin/bun bench/store-ingest.mjs --ingest 100000  → the same on bun:sqlite
 *   node bench/store-ingest.mjs --fill 1000000 --db FILE          → report data over the last 30 days, in big transactions
 *
 * Prints one JSON line.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const isBun = typeof globalThis.Bun !== 'undefined';
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : args[i + 1];
};

const { createCallWriter } = await import(join(root, 'dist/js/store/call-writer.js'));
const { openDriver } = await import(join(root, `dist/js/store/drivers/${isBun ? 'bun-sqlite' : 'better-sqlite3'}.js`));

const FEATURES = ['summarizer', 'chatbot', 'search', 'classifier', 'extractor', 'translator', 'autocomplete', 'agent', 'moderation', 'embeddings-sync', 'rag-answer', 'email-draft'];
const TIERS = ['free', 'pro', 'enterprise'];
const MODELS = [['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'], ['gpt-4o', 'gpt-4o-2024-08-06'], ['gpt-4.1-nano', 'gpt-4.1-nano-2025-04-14']];

/** A deterministic, realistic record number `i`, at time `ts`. */
function record(i, ts) {
  const [requested, model] = MODELS[i % MODELS.length];
  const input = 200 + ((i * 7919) % 4000);
  const output = 20 + ((i * 104729) % 800);
  const streamed = i % 3 === 0;
  return {
    ts,
    keyName: `key-${i % 8}`,
    provider: 'openai',
    endpoint: 'chat.completions',
    modelRequested: requested,
    model,
    status: 200,
    outcome: 'ok',
    streamed,
    usage: { inputTokens: input, outputTokens: output, cacheReadTokens: i % 5 === 0 ? Math.floor(input / 2) : 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 },
    usageSource: 'reported',
    costNano: input * 150 + output * 600,
    providerCostNano: null,
    priceSource: 'genai-prices@bench',
    latencyMs: 300 + (i % 1700),
    ttfbMs: streamed ? 120 + (i % 300) : null,
    tags: { feature: FEATURES[i % FEATURES.length], user_tier: TIERS[(i >> 2) % TIERS.length], tenant_id: `t_${i % 500}` },
    requestHash: (i * 2654435761 >>> 0).toString(16).padStart(8, '0').repeat(4),
    promptBytes: input * 4,
    maxOutputTokens: 1024,
    error: null,
  };
}

function ingest(n, batchSize) {
  const dir = mkdtempSync(join(tmpdir(), 'tokometer-ingest-'));
  try {
    const store = createCallWriter(openDriver(join(dir, 'ingest.db')));
    const now = Date.now();
    // Records are built before the clock starts: the figure is what the store costs.
    const records = Array.from({ length: n }, (_, i) => record(i, now - i));
    const t0 = performance.now();
    for (let i = 0; i < n; i += batchSize) store.insertCalls(records.slice(i, i + batchSize));
    const seconds = (performance.now() - t0) / 1000;
    store.close();
    return { driver: isBun ? 'bun:sqlite' : 'better-sqlite3', calls: n, batch: batchSize, seconds, callsPerSec: n / seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fill(n, db, batchSize) {
  const store = createCallWriter(openDriver(db));
  const now = Date.now();
  const span = 29 * 86_400_000; // inside --since 30d
  const t0 = performance.now();
  for (let i = 0; i < n; i += batchSize) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + batchSize); j++) batch.push(record(j, now - span + Math.floor((j / n) * span)));
    store.insertCalls(batch);
  }
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  return { driver: isBun ? 'bun:sqlite' : 'better-sqlite3', calls: n, seconds, callsPerSec: n / seconds, bytes: statSync(db).size };
}

const batch = Number(arg('batch', 0));
if (arg('fill')) console.log(JSON.stringify(fill(Number(arg('fill')), arg('db'), batch || 50_000)));
else console.log(JSON.stringify(ingest(Number(arg('ingest', 100_000)), batch || 1000)));
