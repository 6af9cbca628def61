import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isPostgresUrl } from '../lib/db-location.js';
import { UsageError } from '../lib/errors.js';
import { TIER_PRICE_USD, type Population } from './population.js';

/**
 * The small config the demo writes next to its database (`tokometer-demo.yaml` beside
 * `tokometer-demo.db`): the demo product's prices under `economics`, so
 * `tokometer report --config tokometer-demo.yaml --unit-economics` shows AI COGS and
 * margins per tier and tenant, and `db:` naming the demo database.
 */

/** First line of every config the demo writes; a file without it is never overwritten. */
export const DEMO_CONFIG_MARKER = '# Written by `tokometer demo`';

/** `x/tokometer-demo.db` → `x/tokometer-demo.yaml` (any other name gets `.yaml` appended). */
export function demoConfigPath(dbPath: string): string {
  return dbPath.endsWith('.db') ? `${dbPath.slice(0, -3)}.yaml` : `${dbPath}.yaml`;
}

/** Throws UsageError when `file` exists and was not written by the demo. */
export function checkDemoConfigWritable(file: string, shown: string): void {
  if (!existsSync(file)) return;
  let head: string;
  try {
    head = readFileSync(file, 'utf8').slice(0, DEMO_CONFIG_MARKER.length);
  } catch (error) {
    throw new UsageError(`cannot read ${shown}: ${(error as Error).message}`);
  }
  if (head !== DEMO_CONFIG_MARKER) {
    throw new UsageError(`${shown} exists and was not written by tokometer demo; the demo writes its config there. Move it away or choose another --db path.`);
  }
}

/** The config text for a demo database at `dbPath` (a file in the config's folder, or a PostgreSQL URL). */
export function demoConfigText(dbPath: string, population: Population): string {
  const tenants = population.tenants.map((t) => `    ${t.id}: ${t.seats * TIER_PRICE_USD[t.tier]}   # ${t.tier}, ${t.seats} seats × $${TIER_PRICE_USD[t.tier]}`);
  return [
    `${DEMO_CONFIG_MARKER} for its database; rewritten by every demo run, safe to delete.`,
    '# Prices of the demo product (USD per month), so --unit-economics can show AI COGS and margins.',
    `db: ${JSON.stringify(isPostgresUrl(dbPath) ? dbPath : `./${path.basename(dbPath)}`)}`,
    'economics:',
    `  price_per_user: { free: ${TIER_PRICE_USD.free}, pro: ${TIER_PRICE_USD.pro}, enterprise: ${TIER_PRICE_USD.enterprise} }`,
    '  price_per_tenant:',
    ...tenants,
    '',
  ].join('\n');
}

export function writeDemoConfig(file: string, dbPath: string, population: Population): void {
  writeFileSync(file, demoConfigText(dbPath, population));
  // A PostgreSQL URL may hold a password: the file is the user's alone then.
  if (isPostgresUrl(dbPath)) chmodSync(file, 0o600);
}
