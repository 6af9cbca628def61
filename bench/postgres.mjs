/**
 * `node bench/postgres.mjs [--quick] [--no-write]`: only the PostgreSQL phase of `npm run
 * bench` (ingestion from one replica; the binary on PostgreSQL against SQLite). Prints
 * the section, writes it to bench/POSTGRES.md (which `npm run bench` appends to
 * RESULTS.md when it skips the phase) and in place of RESULTS.md's PostgreSQL section,
 * and the raw figures to bench/out/postgres.json. Needs `npm run build`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postgresPhase, renderPostgres } from './lib/pg.mjs';
import { publishSection } from './lib/sections.mjs';
import { startUpstream } from './lib/systems.mjs';
import { cpuPlan, detectTools, pinSelf } from './lib/tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
const log = (msg) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);

async function main() {
  if (!existsSync(join(root, 'dist/tokometer'))) throw new Error('dist/tokometer is missing: run `npm run build` first');
  const bun = join(root, 'node_modules/.bin/bun');
  const plan = cpuPlan(detectTools({ install: false, log }).taskset);
  pinSelf(plan.loadgen);
  const tmp = mkdtempSync(join('/tmp', 'tokometer-pg-bench-'));
  const running = [];
  try {
    const upstream = await startUpstream({ root, cpu: plan.upstream, bun });
    running.push(upstream);
    const result = await postgresPhase({ root, tmp, upstreamUrl: upstream.url, cpu: plan.sut, bun, quick: process.argv.includes('--quick'), log });
    const section = `${renderPostgres(result).join('\n').trim()}\n\n_Written by \`node bench/postgres.mjs${process.argv.includes('--quick') ? ' --quick' : ''}\` on ${new Date().toISOString()}._\n`;
    publishSection(root, { name: 'postgres', raw: { plan, ...result }, section, file: 'POSTGRES.md', heading: '## PostgreSQL' });
  } finally {
    for (const p of running) await p.stop?.(5000);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
