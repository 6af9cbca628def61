import { escapeControlChars } from '../../lib/control-chars.js';
import { excludedNotice, formatMoney } from '../../report/format/text.js';
import type { AuditReport, Finding } from '../types.js';
import { BUDGET_HEADERS, BUDGET_NOTE, OVERLAP_NOTE, budgetCells, budgetCostNote, leftOutText, evidenceHeadline, factItems, savingCell, spendNotes, spentText, totalText, whereText, windowText } from './common.js';

/**
 * The audit as GitHub-flavoured Markdown, to paste into an issue or a monthly review:
 * a heading, a ranked summary table, one section per finding and the total last. It
 * goes to standard output, often a terminal: control characters of stored tag values and
 * models are shown escaped (`\u001b`) on every line, so none runs or forges a line.
 */

/** Escapes what would break a table cell or start unwanted formatting. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderAuditMarkdown(r: AuditReport): string {
  const out: string[] = [`## tokometer cost audit: ${windowText(r)}`, ''];
  out.push(`${spentText(r)}${r.where.length > 0 ? ` · where \`${whereText(r.where)}\`` : ''}`, '');
  for (const note of spendNotes(r)) out.push(...note.split('\n').map((line) => `_${line}_`), '');
  const excluded = excludedNotice(r.excluded);
  if (excluded) out.push(`_${excluded}_`, '');
  if (r.findings.length === 0) {
    out.push(`No findings: no saving of ${formatMoney(r.minSavingPerMonthNano)}/month or more, no budget at risk, every model priced.`, '');
  } else {
    out.push('| # | Finding | Saving / month | Confidence |', '|--:|---|--:|---|');
    r.findings.forEach((f, i) => out.push(`| ${i + 1} | ${cell(f.title)} | ${savingCell(f)} | ${f.confidence.level} |`));
    r.findings.forEach((f, i) => out.push('', ...section(f, i + 1, r)));
    out.push('', `_${OVERLAP_NOTE}_`);
  }
  if (r.budgets.length > 0) {
    out.push('', '### Budgets', '', BUDGET_NOTE, '', `| ${BUDGET_HEADERS.join(' | ')} |`, '|---|---|--:|--:|--:|---|');
    for (const b of r.budgets) out.push(`| ${budgetCells(b, r.timeZone).map(cell).join(' | ')} |`);
    if (r.budgetsLeftOut.length > 0) out.push('', ...r.budgetsLeftOut.map((l) => `_${leftOutText(l)}_`));
    const costNote = budgetCostNote(r.budgets);
    if (costNote) out.push('', `_${costNote}_`);
  }
  out.push('', `**${totalText(r)}**`);
  return out.map(escapeControlChars).join('\n') + '\n';
}

function section(f: Finding, rank: number, r: AuditReport): string[] {
  const lines = [`### ${rank}. ${f.title}`, ''];
  if (f.kind === 'saving') lines.push(`- **Saving:** ${formatMoney(f.savingPerMonthNano)} / month (${formatMoney(f.savingNano)} in the window)`);
  lines.push(`- **Scope:** ${Object.entries(f.scope).map(([k, v]) => `\`${k}=${v}\``).join(', ') || '—'}`);
  lines.push(`- **Evidence:** ${evidenceHeadline(f.evidence)}`);
  for (const item of factItems(f.evidence, r.timeZone)) lines.push(`  - ${item}`);
  lines.push(`- **Fix:** ${f.fix}`);
  lines.push(`- **Confidence:** ${f.confidence.level}: ${f.confidence.reason}`);
  if (f.snippet !== undefined) lines.push('', '```yaml', ...f.snippet.split('\n'), '```');
  return lines;
}
