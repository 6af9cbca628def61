import { describe, expect, it } from 'vitest';
import { renderAuditJson } from '../../src/audit/format/json.js';
import { renderAuditMarkdown } from '../../src/audit/format/markdown.js';
import { renderAuditTable } from '../../src/audit/format/table.js';
import { SINCE, MINUTE, audit, type Spec } from './helpers.js';

/**
 * The audit's headline ("N calls · $X spent") says what the scope cost the way report says
 * what its total cost (report/known-cost.ts, report/format/text.ts): `—` when none of the
 * calls has a cost (unknown, not $0), the sum of the known costs marked `*` when only some
 * do, with report's footnotes saying which calls the sum leaves out; JSON's cost_usd is
 * null when unknown, as report's total is, and priced_calls says how many calls it sums.
 */
const unpricedCall = (i: number): Spec => ({ at: SINCE + i * MINUTE, key: 'app', model: 'acme-llm-7b', provider: 'together', cost: null });
const pricedCall = (i: number): Spec => ({ at: SINCE + i * MINUTE, key: 'app', cost: 55_000_000 });
// Answered, but the answer could not be read: no usage, no cost, and not unpriced either.
const unknownUsageCall = (i: number): Spec => ({ at: SINCE + i * MINUTE, key: 'app', usage: false, cost: null });

const UNPRICED_NOTE = '2 unpriced calls not included in spend: acme-llm-7b on together (2).';
const headline = (text: string) => text.split('\n')[1];

describe('audit headline of calls that have no cost', () => {
  it('reads — when none of the calls has a cost, with the unpriced footnote unmarked', async () => {
    const r = await audit([unpricedCall(0), unpricedCall(1)], { detectors: [] });
    const table = renderAuditTable(r, { color: false });
    expect(headline(table)).toBe('2 calls · — spent');
    expect(table).toContain(`\n${UNPRICED_NOTE}\nAdd a price for these models under \`prices:\` in the config.`);
    expect(table).not.toContain('$0.00 spent');
    const md = renderAuditMarkdown(r);
    expect(md).toContain('\n2 calls · — spent\n');
    expect(md).toContain(`_${UNPRICED_NOTE}_`);
    const doc = JSON.parse(renderAuditJson(r));
    expect(doc).toMatchObject({ calls: 2, cost_usd: null, priced_calls: 0, unpriced: [{ model: 'acme-llm-7b', calls: 2, provider: 'together' }] });
  });

  it('marks a sum that leaves calls out with *, and its footnotes with * too', async () => {
    const r = await audit([pricedCall(0), pricedCall(1), unpricedCall(2), unpricedCall(3), unknownUsageCall(4)], { detectors: [] });
    const table = renderAuditTable(r, { color: false });
    expect(headline(table)).toBe('5 calls · $0.110* spent');
    expect(table).toContain(`\n* ${UNPRICED_NOTE}\n`);
    expect(table).toContain("\n* 1 call with unknown usage (the provider's answer could not be read): cost not included in spend.");
    const md = renderAuditMarkdown(r);
    expect(md).toContain('\n5 calls · $0.110* spent\n');
    expect(md).toContain(`_* ${UNPRICED_NOTE}_`);
    expect(JSON.parse(renderAuditJson(r))).toMatchObject({ calls: 5, cost_usd: 0.11, priced_calls: 2 });
  });

  it('reads the plain sum, without footnote, when every call has a cost', async () => {
    const r = await audit([pricedCall(0), pricedCall(1)], { detectors: [] });
    const table = renderAuditTable(r, { color: false });
    expect(headline(table)).toBe('2 calls · $0.110 spent');
    expect(table).not.toContain('not included in spend');
    expect(JSON.parse(renderAuditJson(r))).toMatchObject({ calls: 2, cost_usd: 0.11, priced_calls: 2, unpriced: [] });
  });
});
