import { RULES, type RuleName, type Violation } from './check.js';

/** A known violation, tolerated until the named work removes it. */
export interface Allowed {
  rule: RuleName;
  /** The file that breaks the rule (every violation of `rule` in it is tolerated). */
  file: string;
  /** The issue or branch whose merge removes it; the lead deletes the entry then. */
  removedBy: string;
}

/**
 * Known violations, one entry per file and rule. Delete an entry once its file obeys the
 * rule: the architecture test fails on entries that no longer match anything, so the
 * list only shrinks. Never add an entry to get a new violation past the test.
 */
export const ALLOWED: readonly Allowed[] = [];

/** Violations the list does not tolerate, and entries that match no violation any more. */
export function applyAllowList(violations: readonly Violation[], allowed: readonly Allowed[]): { unlisted: Violation[]; stale: Allowed[] } {
  const matches = (v: Violation, a: Allowed) => v.rule === a.rule && v.file === a.file;
  return {
    unlisted: violations.filter((v) => !allowed.some((a) => matches(v, a))),
    stale: allowed.filter((a) => !violations.some((v) => matches(v, a))),
  };
}

/** A readable list: one line per violation, grouped under its rule's text. */
export function describeViolations(violations: readonly Violation[]): string {
  const lines: string[] = [];
  for (const rule of Object.keys(RULES) as RuleName[]) {
    const own = violations.filter((v) => v.rule === rule);
    if (own.length === 0) continue;
    lines.push(`${rule}: ${RULES[rule]}`);
    for (const v of own) lines.push(`  ${v.file}: ${v.detail}`);
  }
  return lines.join('\n');
}
