import { byCloseness } from '../lib/edit-distance.js';
import type { ReportReads } from '../store/read/report/index.js';
import type { PlannedReads } from './run-plan.js';
import { NONE, isBuiltin, type ReportQuery, type UnknownTagKey } from './types.js';

/** Keys listed per unknown key (closest first). */
const MAX_SUGGESTIONS = 10;

/**
 * The tag keys a query groups or filters by (`--by`, `--where`) that no call of its
 * window [since, until) carries (whatever its other filters), each with the tag keys
 * that some call of the window does carry, closest first (edit distance). Empty when
 * the window has no call at all: then nothing can be told apart. A key's presence is
 * counted like any report figure (rollups where they answer), so the check costs one
 * small query per key, and the suggestions one more per known key, only when a key is
 * unknown.
 */
export async function unknownTagKeys(source: PlannedReads, reads: ReportReads, q: ReportQuery): Promise<UnknownTagKey[]> {
  // Each key once, with the first flag that names it.
  const flags = new Map<string, '--by' | '--where'>();
  for (const key of q.by) if (!isBuiltin(key) && !flags.has(key)) flags.set(key, '--by');
  for (const w of q.where) if (!isBuiltin(w.key) && !flags.has(w.key)) flags.set(w.key, '--where');
  if (flags.size === 0) return [];
  const window = { since: q.since, until: q.until, by: [] as string[], where: [], timeZone: q.timeZone };
  const callsWith = async (key: string) => (await source.groups({ ...window, where: [{ key, op: '!=', value: NONE }] }))[0]?.calls ?? 0;
  if (((await source.groups(window))[0]?.calls ?? 0) === 0) return [];

  const missing: Array<{ key: string; flag: '--by' | '--where' }> = [];
  for (const [key, flag] of flags) if ((await callsWith(key)) === 0) missing.push({ key, flag });
  if (missing.length === 0) return [];
  const seen: string[] = [];
  for (const key of await reads.tagKeys()) {
    if (missing.some((m) => m.key === key)) continue;
    if (flags.has(key) || (await callsWith(key)) > 0) seen.push(key);
  }
  return missing.map((m) => ({ ...m, seen: byCloseness(m.key, seen).slice(0, MAX_SUGGESTIONS) }));
}
