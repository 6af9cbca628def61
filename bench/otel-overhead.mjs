/**
 * `node bench/otel-overhead.mjs [--quick]`: only the OpenTelemetry phase of `npm run bench`
 * (binary with export off vs on to a local OTLP sink; start-up and RSS of both builds).
 * Prints the RESULTS.md section and writes bench/out/otel.json. Needs `npm run build`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { otelOverhead, renderOtel, startSink } from './lib/otel.mjs';
import { startUpstream } from './lib/systems.mjs';
import { cpuPlan, detectTools, pinSelf } from './lib/tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const started = performance.now();
const log = (msg) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);

async function main() {
  for (const f of ['dist/tokometer', 'dist/js/main.js']) if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
  const bun = join(root, 'node_modules/.bin/bun');
  const plan = cpuPlan(detectTools({ install: false, log }).taskset);
  pinSelf(plan.loadgen);
  const tmp = mkdtempSync(join('/tmp', 'tokometer-otel-bench-'));
  const running = [];
  try {
    const upstream = await startUpstream({ root, cpu: plan.upstream, bun });
    running.push(upstream);
    const sink = await startSink({ root, cpu: plan.loadgen, bun });
    running.push(sink);
    const result = await otelOverhead({ root, tmp, upstreamUrl: upstream.url, sink, cpu: plan.sut, bun, quick: process.argv.includes('--quick'), log });
    mkdirSync(join(root, 'bench/out'), { recursive: true });
    writeFileSync(join(root, 'bench/out/otel.json'), JSON.stringify({ date: new Date().toISOString(), plan, ...result }, null, 2));
    console.log(renderOtel(result).join('\n'));
  } finally {
    for (const p of running) await p.stop?.(5000);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
