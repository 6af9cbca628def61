/**
 * The frame shared by the scripts that run one phase of `npm run bench` on its own
 * (bench/otel-overhead.mjs, bench/postgres.mjs, bench/replicas.mjs, bench/ttfc-herd.mjs,
 * bench/jit-compiles.mjs): check the build,
 * plan the CPUs, start the fake upstream in a fresh /tmp directory, run the phase, and
 * always stop what was started and remove the directory. Any error is printed and exits 1.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startUpstream } from './systems.mjs';
import { cpuPlan, detectTools, pinSelf } from './tools.mjs';

/** The repository root (bench/lib/../..). */
export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Runs `phase` once, as the whole of a standalone script.
 * - `needs`: files under the root that `npm run build` makes; a missing one fails at once.
 * - `tmpPrefix`: name prefix of the scratch directory made under /tmp.
 * - `pinLoadgen`: pin this process to the load generator's CPU first (when pinning at all).
 * `phase` gets `{ root, bun, plan, tmp, upstream, running, quick, log }`: `upstream` is
 * already in `running`, and whatever `phase` pushes there is stopped (5 s grace) at the end;
 * `quick` is whether the command line has `--quick`; `log` prints with seconds since start.
 */
export function runStandalonePhase({ needs, tmpPrefix, pinLoadgen }, phase) {
  const started = performance.now();
  const log = (msg) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
  const main = async () => {
    for (const f of needs) if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first`);
    const bun = join(root, 'node_modules/.bin/bun');
    const plan = cpuPlan(detectTools({ install: false, log }).taskset);
    if (pinLoadgen) pinSelf(plan.loadgen);
    const tmp = mkdtempSync(join('/tmp', tmpPrefix));
    const running = [];
    try {
      const upstream = await startUpstream({ root, cpu: plan.upstream, bun });
      running.push(upstream);
      await phase({ root, bun, plan, tmp, upstream, running, quick: process.argv.includes('--quick'), log });
    } finally {
      for (const p of running) await p.stop?.(5000);
      rmSync(tmp, { recursive: true, force: true });
    }
  };
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
