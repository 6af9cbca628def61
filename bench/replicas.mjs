/**
 * `node bench/replicas.mjs [--quick] [--no-write]`: only the replicas phase of `npm run
 * bench` (three binaries on one PostgreSQL at 1,500 req/s in total against one budget
 * running out: the budget decision's p50/p99 and the final overshoot). Prints the
 * section, writes it to bench/REPLICAS.md (which `npm run bench` appends to RESULTS.md
 * when it skips the phase) and in place of RESULTS.md's replicas section, and the raw
 * figures to bench/out/replicas.json. Needs `npm run build`.
 */
import { renderReplicas, replicasPhase } from './lib/replicas.mjs';
import { publishSection } from './lib/sections.mjs';
import { runStandalonePhase } from './lib/standalone.mjs';

runStandalonePhase({ needs: ['dist/tokometer'], tmpPrefix: 'tokometer-replicas-bench-', pinLoadgen: false }, async ({ root, tmp, upstream, quick, log }) => {
  const result = await replicasPhase({ root, tmp, upstreamUrl: upstream.url, quick, log });
  const section = `${renderReplicas(result).join('\n').trim()}\n\n_Written by \`node bench/replicas.mjs${quick ? ' --quick' : ''}\` on ${new Date().toISOString()}._\n`;
  publishSection(root, { name: 'replicas', raw: result, section, file: 'REPLICAS.md', heading: '## Replicas sharing a budget' });
});
