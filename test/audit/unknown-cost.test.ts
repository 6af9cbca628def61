import { describe, expect, it } from 'vitest';
import { unpriced } from '../../src/audit/detectors/unpriced.js';
import { waste } from '../../src/audit/detectors/waste.js';
import { renderAuditJson } from '../../src/audit/format/json.js';
import { renderAuditMarkdown } from '../../src/audit/format/markdown.js';
import { renderAuditTable } from '../../src/audit/format/table.js';
import { SINCE, audit, type Spec } from './helpers.js';

/**
 * A finding's evidence says what its calls cost the way report does (report/known-cost.ts):
 * `—` / null when none of them has a cost (unknown, not $0), the sum of the known costs
 * marked `*` when some have none, and "1 call", not "1 calls".
 */
describe('audit evidence with calls that have no cost', () => {
  // One call of a model no catalog knows: 1,000 in / 100 out tokens, no cost.
  const unpricedCall: Spec = { at: SINCE, key: 'app', model: 'acme-llm-7b', provider: 'together', cost: null };
  // A retry storm of key app: $0.055 answered, an upstream error with usage unknown (no cost), $0.055 answered,
  // 2 s apart. Evidence: 3 calls, $0.110 known (2 of 3 calls), 2,000 in / 200 out; saving = first two = $0.055.
  const storm: Spec[] = [
    { at: SINCE + 60_000, key: 'app', hash: 's', cost: 55_000_000 },
    { at: SINCE + 62_000, key: 'app', hash: 's', outcome: 'upstream_error', usage: false, cost: null },
    { at: SINCE + 64_000, key: 'app', hash: 's', cost: 55_000_000 },
  ];

  it('shows — and null for a finding none of whose calls has a cost, and says "1 call"', async () => {
    const r = await audit([unpricedCall], { detectors: [unpriced] });
    const table = renderAuditTable(r, { color: false });
    expect(table).toContain('1 call · — spent');
    expect(table).toContain('evidence    1 call · — · 1,000 in / 100 out tokens');
    expect(renderAuditMarkdown(r)).toContain('- **Evidence:** 1 call · — · 1,000 in / 100 out tokens');
    const evidence = JSON.parse(renderAuditJson(r)).findings[0].evidence;
    expect(evidence).toMatchObject({ calls: 1, cost_usd: null, priced_calls: 0, input_tokens: 1000, output_tokens: 100 });
  });

  it('marks a sum that leaves calls without a cost out, and counts the calls it covers', async () => {
    const r = await audit(storm, { detectors: [waste] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.savingNano).toBe(55_000_000);
    const headline = '3 calls · $0.110* · 2,000 in / 200 out tokens (* 1 call without a cost is not in the sum)';
    expect(renderAuditTable(r, { color: false }).replace(/\n +/g, ' ')).toContain(`evidence    ${headline}`);
    expect(renderAuditMarkdown(r)).toContain(`- **Evidence:** ${headline}`);
    const evidence = JSON.parse(renderAuditJson(r)).findings[0].evidence;
    expect(evidence).toMatchObject({ calls: 3, cost_usd: 0.11, priced_calls: 2 });
  });
});
