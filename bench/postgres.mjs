/**
 * `node bench/postgres.mjs [--quick] [--no-write]`: only the PostgreSQL phase of `npm run
 * bench` (ingestion from one replica; the binary on PostgreSQL against SQLite). Prints
 * the section, writes it to bench/POSTGRES.md (which `npm run bench` appends to
 * RESULTS.md when it skips the phase) and in place of RESULTS.md's PostgreSQL section,
 * and the raw figures to bench/out/postgres.json. Needs `npm run build`.
 */
import { postgresPhase, renderPostgres } from './lib/pg.mjs';
import { publishSection } from './lib/sections.mjs';
import { runStandalonePhase } from './lib/standalone.mjs';

runStandalonePhase({ needs: ['dist/tokometer'], tmpPrefix: 'tokometer-pg-bench-', pinLoadgen: true }, async ({ root, bun, plan, tmp, upstream, quick, log }) => {
  const result = await postgresPhase({ root, tmp, upstreamUrl: upstream.url, cpu: plan.sut, bun, quick, log });
  const section = `${renderPostgres(result).join('\n').trim()}\n\n_Written by \`node bench/postgres.mjs${quick ? ' --quick' : ''}\` on ${new Date().toISOString()}._\n`;
  publishSection(root, { name: 'postgres', raw: { plan, ...result }, section, file: 'POSTGRES.md', heading: '## PostgreSQL' });
});
