import { pinnedCatalog } from '../pricing/catalog.js';
import { parseCatalogJson, snapshotSource } from '../pricing/snapshot.js';
import { diffCatalogs, type CatalogDiff, type PriceChange } from '../pricing/snapshot-diff.js';
import type { PriceStore } from '../store/price-store.js';
import { newestSnapshot, type FetchedCatalog } from './catalog-source.js';

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

function changeLine(c: PriceChange): string {
  const from = c.from === null ? '' : ` from ${c.from}`;
  return `  ${c.provider}/${c.model} ${c.key}: ${c.old ?? '(none)'} → ${c.new ?? '(none)'}${from}${c.problem ? `  [${c.problem}]` : ''}`;
}

/** The changes as text: models added, prices changed (old → new, effective date), models removed. */
export function renderDiff(diff: CatalogDiff): string {
  const lines: string[] = [];
  const section = <T>(title: string, items: readonly T[], line: (item: T) => string) => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`, ...items.slice(0, LIST_LIMIT).map(line));
    if (items.length > LIST_LIMIT) lines.push(`  … and ${items.length - LIST_LIMIT} more`);
  };
  section('models added', diff.added, (m) => `  ${m.provider}/${m.model}`);
  section('prices changed', diff.changed, changeLine);
  section('models removed', diff.removed, (m) => `  ${m.provider}/${m.model}`);
  if (lines.length === 0) lines.push('no price changes');
  if (diff.problems.length > 0) lines.push('checks failed (stored only with --force):', problemLines(diff.problems));
  return `${lines.join('\n')}\n`;
}

/** One line for logs: counts of what changed. */
export function summarizeDiff(diff: CatalogDiff): string {
  return `${diff.added.length} models added, ${diff.changed.length} prices changed, ${diff.removed.length} models removed`;
}
