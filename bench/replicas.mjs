/**
 * `node bench/replicas.mjs [--quick] [--no-write]`: only the replicas phase of `npm run
 * bench` (three binaries on one PostgreSQL at 1,500 req/s in total against one budget
 * running out: the budget decision's p50/p99 and the final overshoot). Prints the
 * section, writes it to bench/REPLICAS.md (which `npm run bench` appends to RESULTS.md
 * when it skips the phase) and in place of RESULTS.md's replicas section, and the raw
 * figures to bench/out/replicas.json. Needs `npm run build`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReplicas, replicasPhase } from './lib/replicas.mjs';
import { publishSection } from './lib/sections.mjs';
import { startUpstream } from './lib/systems.mjs';
import { cpuPlan, detectTools } from './lib/tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
const log = (msg) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);

async function main() {
  if (!existsSync(join(root, 'dist/tokometer'))) throw new Error('dist/tokometer is missing: run `npm run build` first');
  const bun = join(root, 'node_modules/.bin/bun');
  const plan = cpuPlan(detectTools({ install: false, log }).taskset);
  const tmp = mkdtempSync(join('/tmp', 'tokometer-replicas-bench-'));
  const running = [];
  try {
    const upstream = await startUpstream({ root, cpu: plan.upstream, bun });
    running.push(upstream);
    const quick = process.argv.includes('--quick');
    const result = await replicasPhase({ root, tmp, upstreamUrl: upstream.url, quick, log });
    const section = `${renderReplicas(result).join('\n').trim()}\n\n_Written by \`node bench/replicas.mjs${quick ? ' --quick' : ''}\` on ${new Date().toISOString()}._\n`;
    publishSection(root, { name: 'replicas', raw: result, section, file: 'REPLICAS.md', heading: '## Replicas sharing a budget' });
  } finally {
    for (const p of running) await p.stop?.(5000);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
