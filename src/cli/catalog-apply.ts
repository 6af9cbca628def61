import { pinnedCatalog } from '../pricing/catalog.js';
import { parseCatalogJson, snapshotSource } from '../pricing/snapshot.js';
import { diffCatalogs, type CatalogDiff, type PriceChange } from '../pricing/snapshot-diff.js';
import type { PriceStore } from '../store/price-store.js';
import { newestSnapshot, type FetchedCatalog } from './catalog-source.js';
import type { Shadow, Shadows } from './update-shadows.js';

/**
 * Checking fetched catalog data and storing it as the newest snapshot, and the text that
 * shows what it changes: `prices update` and `serve`'s `prices.auto_update` both apply
 * catalogs through here.
 */

/** A snapshot that failed its checks: nothing was stored (exit 2). */
export class SnapshotRefused extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotRefused';
  }
}

export interface UpdateOptions {
  /** Store even when the checks fail (not when the data does not parse). */
  force: boolean;
  /** Show the changes, store nothing. */
  dryRun: boolean;
}

export type UpdateResult =
  | { kind: 'unchanged'; snapshotId: number }
  | { kind: 'dry-run'; diff: CatalogDiff; source: string }
  | { kind: 'stored'; snapshotId: number; diff: CatalogDiff; source: string };

/**
 * Checks `fetched` against the pinned catalog and the data in force, and stores it unless
 * dry or refused. @throws SnapshotRefused when it does not parse, or fails the checks
 * without `force` (the message lists why).
 */
export async function applyCatalog(prices: PriceStore, fetched: FetchedCatalog, fetchedAt: number, o: UpdateOptions): Promise<UpdateResult> {
  let data;
  try {
    data = parseCatalogJson(fetched.text);
  } catch (error) {
    throw new SnapshotRefused(`refused ${fetched.origin}: ${(error as Error).message}; nothing changed`);
  }
  const current = await newestSnapshot(prices).catch(() => null);
  if (current !== null && current.sha256 === fetched.sha256) return { kind: 'unchanged', snapshotId: current.id };
  const diff = diffCatalogs(pinnedCatalog(), current?.data ?? pinnedCatalog(), data);
  if (diff.problems.length > 0 && !o.force) {
    throw new SnapshotRefused(`refused ${fetched.origin}; nothing changed (use --force to store it anyway):\n${problemLines(diff.problems)}`);
  }
  const source = snapshotSource(fetchedAt, fetched.sha256);
  if (o.dryRun) return { kind: 'dry-run', diff, source };
  const models = data.reduce((n, p) => n + p.models.length, 0);
  const snapshotId = await prices.insertSnapshot({ origin: fetched.origin, fetchedAt, sha256: fetched.sha256, providers: data.length, models, forced: diff.problems.length > 0, data: fetched.text });
  return { kind: 'stored', snapshotId, diff, source };
}

const LIST_LIMIT = 50;
const PROBLEM_LIMIT = 12;

function problemLines(problems: readonly string[]): string {
  const lines = problems.slice(0, PROBLEM_LIMIT).map((p) => `  - ${p}`);
  if (problems.length > PROBLEM_LIMIT) lines.push(`  … and ${problems.length - PROBLEM_LIMIT} more`);
  return lines.join('\n');
}

const WHO: Readonly<Record<Shadow['by'], string>> = { override: "tokometer's override", config: "the config's prices: entry" };

/** True when `shadow` keeps `c`'s new price from applying (the key is not one a config entry leaves to the snapshot). */
const shadowed = (c: PriceChange, shadow: Shadow | undefined): shadow is Shadow => shadow !== undefined && !shadow.inherited.has(c.key);

function changeLine(c: PriceChange, shadow: Shadow | undefined): string {
  const from = c.from === null ? '' : ` from ${c.from}`;
  const problem = c.problem ? `  [${c.problem}]` : '';
  if (!shadowed(c, shadow)) return `  ${c.provider}/${c.model} ${c.key}: ${c.old ?? '(none)'} → ${c.new ?? '(none)'}${from}${problem}`;
  const inForce = shadow.inForce.get(c.key) ?? '(none)';
  return `  ${c.provider}/${c.model} ${c.key}: ${inForce} in force (${WHO[shadow.by]}) stays; the snapshot's ${c.old ?? '(none)'} → ${c.new ?? '(none)'}${from} does not apply${problem}`;
}

/** The lines after the changes naming how many models' new prices do not apply, and why; none when all apply. */
function shadowLines(diff: CatalogDiff, shadows: Shadows): string[] {
  const by = new Map<string, Shadow['by']>();
  for (const c of diff.changed) {
    const shadow = shadows.get(`${c.provider}/${c.model}`);
    if (shadowed(c, shadow)) by.set(`${c.provider}/${c.model}`, shadow.by);
  }
  if (by.size === 0) return [];
  const kinds = new Set(by.values());
  const who = kinds.size === 2 ? `${WHO.override} or ${WHO.config}` : WHO[[...kinds][0]!];
  const [models, them] = by.size === 1 ? ["1 model's", 'it'] : [`${by.size} models'`, 'them'];
  return [
    `${models} new prices do not apply: ${who} for ${them} wins over every snapshot (docs/prices.md, "Overrides and snapshots").`,
    `To use a snapshot price anyway, set it under 'prices:' in the config${kinds.has('config') ? " (or remove the config's entry)" : ''}; serve reads 'prices:' when it starts.`,
  ];
}

/**
 * The changes as text: models added, prices changed (old → new, effective date), models
 * removed. A change `shadows` names (an override or config entry wins for the model) shows
 * the price in force instead, and says the snapshot's does not apply.
 */
export function renderDiff(diff: CatalogDiff, shadows: Shadows = new Map()): string {
  const lines: string[] = [];
  const section = <T>(title: string, items: readonly T[], line: (item: T) => string) => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`, ...items.slice(0, LIST_LIMIT).map(line));
    if (items.length > LIST_LIMIT) lines.push(`  … and ${items.length - LIST_LIMIT} more`);
  };
  section('models added', diff.added, (m) => `  ${m.provider}/${m.model}`);
  section('prices changed', diff.changed, (c) => changeLine(c, shadows.get(`${c.provider}/${c.model}`)));
  section('models removed', diff.removed, (m) => `  ${m.provider}/${m.model}`);
  if (lines.length === 0) lines.push('no price changes');
  lines.push(...shadowLines(diff, shadows));
  if (diff.problems.length > 0) lines.push('checks failed (stored only with --force):', problemLines(diff.problems));
  return `${lines.join('\n')}\n`;
}

/** One line for logs: counts of what changed. */
export function summarizeDiff(diff: CatalogDiff): string {
  return `${diff.added.length} models added, ${diff.changed.length} prices changed, ${diff.removed.length} models removed`;
}
