import { escapeControlChars as shown } from '../../lib/control-chars.js';
import { excludedNotice, formatMoney, paint, renderGrid, type Paint } from '../../report/format/text.js';
import type { AuditReport, Finding } from '../types.js';
import { BUDGET_HEADERS, BUDGET_NOTE, OVERLAP_NOTE, budgetCells, budgetCostNote, leftOutText, evidenceHeadline, factItems, savingCell, scopeText, spendNotes, spentText, totalText, whereText, windowText, wrap, wrapItems } from './common.js';

/**
 * The audit for a terminal: a heading, a ranked summary grid, one block per finding
 * (saving, scope, evidence, fix, confidence, config snippet), and the total as the last
 * line. Colour only when `color` is true. Text from the call log (tag values and models in
 * titles, scopes, facts, fixes and snippets) is shown with control characters escaped, as
 * `tokometer report` shows it: stored calls may predate the proxy's refusal of them.
 */

const WIDTH = 100;
const LABEL = 12;

export function renderAuditTable(r: AuditReport, options: { color: boolean }): string {
  const p = paint(options.color);
  const out: string[] = [p.bold(`Cost audit: ${windowText(r)}`)];
  out.push(`${spentText(r)}${r.where.length > 0 ? ` · where ${whereText(r.where)}` : ''}`);
  for (const note of spendNotes(r)) out.push(p.yellow(note));
  const excluded = excludedNotice(r.excluded);
  if (excluded) out.push(p.dim(excluded));
  if (r.findings.length === 0) {
    out.push('', `No findings: no saving of ${formatMoney(r.minSavingPerMonthNano)}/month or more, no budget at risk, every model priced.`);
    out.push(...budgetTable(r, p), '', p.bold(totalText(r)));
    return out.join('\n') + '\n';
  }
  const rows = r.findings.map((f, i) => [String(i + 1), savingCell(f), f.confidence.level, f.title]);
  out.push(
    '',
    renderGrid(
      [
        { header: '#', align: 'right' },
        { header: 'saving/month', align: 'right' },
        { header: 'confidence', align: 'left' },
        { header: 'finding', align: 'left' },
      ],
      rows,
      p,
    ),
  );
  r.findings.forEach((f, i) => out.push('', block(f, i + 1, r, p)));
  out.push(...budgetTable(r, p));
  out.push('', p.dim(wrap(OVERLAP_NOTE, WIDTH, '')), p.bold(totalText(r)));
  return out.join('\n') + '\n';
}

function budgetTable(r: AuditReport, p: Paint): string[] {
  if (r.budgets.length === 0) return [];
  const columns = BUDGET_HEADERS.map((header, i) => ({ header, align: i < 2 || i === 5 ? ('left' as const) : ('right' as const) }));
  const costNote = budgetCostNote(r.budgets);
  return [
    '',
    p.bold('Budgets'),
    p.dim(wrap(BUDGET_NOTE, WIDTH, '')),
    renderGrid(columns, r.budgets.map((b) => budgetCells(b, r.timeZone)), p),
    ...r.budgetsLeftOut.map((l) => wrap(shown(leftOutText(l)), WIDTH, '  ')),
    ...(costNote ? [p.yellow(wrap(costNote, WIDTH, ''))] : []),
  ];
}

function block(f: Finding, rank: number, r: AuditReport, p: Paint): string {
  const pad = ' '.repeat(3 + LABEL);
  const label = (name: string) => `   ${p.dim(name.padEnd(LABEL))}`;
  const line = (name: string, text: string) => `${label(name)}${wrap(shown(text), WIDTH - pad.length, pad)}`;
  const items = (name: string, list: string[]) => `${label(name)}${wrapItems(list.map(shown), ' · ', WIDTH - pad.length, pad)}`;
  const lines = [p.bold(`${rank}. ${shown(f.title)}`)];
  if (f.kind === 'saving') {
    lines.push(`${label('saving')}${p.green(formatMoney(f.savingPerMonthNano))}/month (${formatMoney(f.savingNano)} in the window)`);
  }
  lines.push(line('scope', scopeText(f.scope)));
  lines.push(line('evidence', evidenceHeadline(f.evidence)));
  const facts = factItems(f.evidence, r.timeZone);
  if (facts.length > 0) lines.push(items('', facts));
  lines.push(line('fix', f.fix));
  lines.push(line('confidence', `${f.confidence.level}: ${f.confidence.reason}`));
  if (f.snippet !== undefined) {
    lines.push(line('config', ''), ...f.snippet.split('\n').map((l) => `${pad}${p.cyan(shown(l))}`));
  }
  return lines.map((l) => l.trimEnd()).join('\n');
}
