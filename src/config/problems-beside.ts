import type { z } from 'zod';
import { budgetNameProblems, entryProblems } from './checks.js';
import type { FieldPath, Problem } from './problems.js';
import { type Config, configSchema } from './schema.js';

/**
 * The checks across fields (checks.ts) of a file the schema refused, so that `config check`
 * lists every problem of the file at once: they run on the file without the entries the
 * schema refused (a refused issue's path cut to its section's entry: `prices.auto_update`,
 * `keys.app`, `budgets[1]`; a whole section when the issue is on the section), and say nothing
 * about those entries. A refused provider stays known by name (as `{}`), so a key naming it
 * is not called unknown; a refused `providers:` section, an issue on the document itself, or a
 * rest the schema still refuses gives no such problems at all. Budget names are compared as
 * the file writes them, refused entries included, except a `name` the schema refused itself.
 * List indexes, in paths and in messages (`also budgets[0]`), are those of the file.
 */

type Issue = z.core.$ZodIssue;
type Json = Record<string, unknown>;

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The rest of a refused file: its config, and the file's index of entry `i` of a list section. */
export interface RestOfFile {
  config: Config;
  inFile(section: string, i: number): number;
  /** The section entries the schema refused (paths of 1 or 2 segments). */
  refused: FieldPath[];
}

/**
 * The config of the file `data` without the entries the schema refused (`issues`; a refused
 * provider kept as `{}`, a refused `providers:` section left out); null when an issue is about
 * the document itself or the rest is still refused.
 */
export function restOfFile(data: unknown, issues: readonly Issue[]): RestOfFile | null {
  if (!isMap(data)) return null;
  const refused = refusedEntries(issues);
  if (refused === null) return null;
  const rest = structuredClone(data);
  const fileIndexes = new Map<string, number[]>();
  for (const [section, entry] of refused) {
    const holder = rest[section as string];
    if (entry === undefined) delete rest[section as string];
    // A list's entries go below, all at once, so that the indexes of the file stay known.
    else if (isMap(holder)) {
      if (section === 'providers') holder[entry] = {};
      else delete holder[entry];
    }
  }
  for (const [section, holder] of Object.entries(rest)) {
    if (!Array.isArray(holder)) continue;
    const gone = new Set(refused.filter((p) => p[0] === section && typeof p[1] === 'number').map((p) => p[1] as number));
    if (gone.size === 0) continue;
    const kept = holder.map((_, i) => i).filter((i) => !gone.has(i));
    rest[section] = kept.map((i) => holder[i]);
    fileIndexes.set(section, kept);
  }
  const parsed = configSchema.safeParse(rest);
  if (!parsed.success) return null;
  return { config: parsed.data, inFile: (section, i) => fileIndexes.get(section)?.[i] ?? i, refused };
}

/** The problems described above; `rest` is restOfFile(data, issues), when the caller has it already. */
export function semanticProblemsBeside(data: unknown, issues: readonly Issue[], rest: RestOfFile | null = restOfFile(data, issues)): Problem[] {
  if (rest === null || rest.refused.some((p) => p.length === 1 && p[0] === 'providers')) return [];
  const { inFile, refused } = rest;
  const entries = entryProblems(rest.config)
    .map((p) => ({
      ...p,
      path: typeof p.path[1] === 'number' ? [p.path[0]!, inFile(String(p.path[0]), p.path[1]), ...p.path.slice(2)] : p.path,
    }))
    .filter((p) => !refused.some((entry) => entry.every((seg, i) => p.path[i] === seg)));
  return [...entries, ...budgetNamesOfFile(data as Json, issues)];
}

/** budgetNameProblems on the names the file writes: each budget's `name` unless the schema refused it, keys with a `budget:`. */
function budgetNamesOfFile(data: Json, issues: readonly Issue[]): Problem[] {
  const budgets = data.budgets;
  if (!Array.isArray(budgets)) return [];
  const refusedName = (i: number) => issues.some((issue) => issue.path.length === 3 && issue.path[0] === 'budgets' && issue.path[1] === i && issue.path[2] === 'name');
  const names = budgets.map((b, i) => (isMap(b) && typeof b.name === 'string' && b.name !== '' && !refusedName(i) ? b.name : undefined));
  const keys = isMap(data.keys) ? data.keys : {};
  const budgeted = (name: string) => Object.hasOwn(keys, name) && isMap(keys[name]) && isMap((keys[name] as Json).budget);
  return budgetNameProblems(names, budgeted);
}

/** The section entries the issues are about (paths of 1 or 2 segments); null when one is about the document itself. */
function refusedEntries(issues: readonly Issue[]): FieldPath[] | null {
  const entries: FieldPath[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((seg): seg is string | number => typeof seg !== 'symbol');
    const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...path, key]) : [path];
    for (const p of paths) {
      if (p.length === 0) return null;
      entries.push(p.slice(0, 2));
    }
  }
  return entries;
}
