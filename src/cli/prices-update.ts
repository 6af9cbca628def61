import type { Command } from 'commander';
import { applyCatalog, renderDiff } from './catalog-apply.js';
import { fetchCatalog, newestSnapshot, snapshotFromText } from './catalog-source.js';
import { createPricer } from '../pricing/pricer.js';
import { configFor, dbPathFor, openStoreFor, type CliContext } from './context.js';
import { catalogOrigin } from './price-book.js';
import { closingAfter, withStoreFlags } from './store-command.js';
import { shadowsOf } from './update-shadows.js';

/**
 * `tokometer prices update`: fetch the catalog's published data, check it, show what it
 * changes and store it as the newest snapshot (catalog-apply.ts). A change an override or
 * the config's `prices:` entry keeps from applying is shown as such, with the price in force
 * (update-shadows.ts). `serve` runs the same update on its `prices.auto_update` interval.
 */

interface UpdateFlags {
  from?: string;
  dryRun?: boolean;
  force?: boolean;
  db?: string;
  config?: string;
}

export function registerPricesUpdate(prices: Command, ctx: CliContext): void {
  const update = prices
    .command('update')
    .description("store the catalog's newest published prices as a snapshot (every process sharing the database uses it)")
    .option('--from <url|file>', "where to read the catalog data (default: config prices.source, else the catalog's published URL)")
    .option('--dry-run', 'show what would change, store nothing')
    .option('--force', 'store data that fails the checks (missing models, prices to zero or moved more than 100x)');
  withStoreFlags(update, 'database file, or a postgres:// URL', async (flags: UpdateFlags) => {
    const config = configFor(ctx, flags.config);
    const fetched = await fetchCatalog(catalogOrigin(flags.from, config), ctx.cwd);
    await closingAfter(await openStoreFor(ctx, dbPathFor(ctx, config, flags.db), 'create'), async (store) => {
      const now = ctx.clock();
      const before = createPricer(config.prices, { snapshot: await newestSnapshot(store.prices).catch(() => null) });
      const r = await applyCatalog(store.prices, fetched, now, { force: flags.force === true, dryRun: flags.dryRun === true });
      if (r.kind === 'unchanged') {
        ctx.out(`${fetched.origin}: same data as snapshot #${r.snapshotId}; nothing stored\n`);
        return;
      }
      // The prices with the new snapshot in force: an override or config entry may still win (update-shadows.ts).
      const after = createPricer(config.prices, { snapshot: snapshotFromText(fetched.text, now, fetched.sha256, r.kind === 'stored' ? r.snapshotId : 0) });
      ctx.out(renderDiff(r.diff, shadowsOf(r.diff, before, after, now)));
      if (r.kind === 'dry-run') ctx.out(`dry run: nothing stored (it would be ${r.source})\n`);
      else ctx.out(`stored snapshot #${r.snapshotId} as ${r.source} (sha256 ${fetched.sha256}); a running serve uses it within ${config.price_updates.pollIntervalMs / 1000} s, or at once on SIGHUP\n`);
    });
  });
}
