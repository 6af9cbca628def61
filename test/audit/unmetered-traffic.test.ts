import { describe, expect, it } from 'vitest';
import { unmeteredTraffic } from '../../src/audit/detectors/unmetered-traffic.js';
import { renderAuditJson } from '../../src/audit/format/json.js';
import { renderAuditMarkdown } from '../../src/audit/format/markdown.js';
import { renderAuditTable } from '../../src/audit/format/table.js';
import type { ReconcileRunRecord } from '../../src/store/reconcile-runs.js';
import { DAY, SINCE, audit, factOf, findings, many } from './helpers.js';

const run = (provider: string, unmeteredRows: number, unmeteredRequests: number | null, unmeteredNano: number): ReconcileRunRecord => ({
  provider, ranAt: SINCE + 8 * DAY, since: SINCE, until: SINCE + 7 * DAY, rows: 6, differing: 3, unmeteredRows, unmeteredRequests, unmeteredNano, meterNano: 1_527_800_000, billNano: 2_422_800_000,
});

describe('unmetered traffic (from the last reconcile)', () => {
  it('points to reconcile for each provider whose last run found traffic outside tokometer', async () => {
    const calls = many(3, () => ({}));
    const [openai, anthropic, ...rest] = await findings(calls, unmeteredTraffic, { reconcileRuns: [run('openai', 1, 12, 672_000_000), run('anthropic', 2, null, 144_000_000), run('mistral', 0, 0, 0)] });
    expect(rest).toEqual([]);
    expect(openai!.kind).toBe('notice');
    expect(openai!.scope).toEqual({ provider: 'openai' });
    expect(openai!.title).toBe('openai: 12 requests ($0.672) reached the provider without going through tokometer');
    expect(openai!.evidence).toMatchObject({ calls: 12, costNano: 672_000_000 });
    expect(openai!.fix).toContain('tokometer reconcile --provider openai --since 2026-11-01 --until 2026-11-07');
    expect(openai!.confidence.level).toBe('high');
    expect(factOf(openai!, 'unmetered_rows')).toBe(1);
    expect(anthropic!.title).toBe('anthropic: usage ($0.144) reached the provider without going through tokometer');
    expect(anthropic!.confidence.level).toBe('medium');
  });

  it('names every proxy prefix of a run over several providers and repeats their comma list in the command', async () => {
    const [f] = await findings(many(3, () => ({})), unmeteredTraffic, { reconcileRuns: [run('openai,openai-batch', 1, 4, 224_000_000)] });
    expect(f!.title).toBe('openai,openai-batch: 4 requests ($0.224) reached the provider without going through tokometer');
    expect(f!.fix).toContain('tokometer (/proxy/openai or /proxy/openai-batch)');
    expect(f!.fix).toContain('tokometer reconcile --provider openai,openai-batch --since 2026-11-01 --until 2026-11-07');
  });

  it('says nothing without runs or when the last run was clean', async () => {
    expect(await findings(many(3, () => ({})), unmeteredTraffic)).toEqual([]);
    expect(await findings(many(3, () => ({})), unmeteredTraffic, { reconcileRuns: [run('openai', 0, 0, 0)] })).toEqual([]);
  });

  // A new-user trial: reconcile found +100,000 input and +1,000 output tokens on Anthropic's
  // bill ($1.58) that tokometer never saw; the notice read "0 calls · $1.58 · 0 in / 0 out
  // tokens". The stored run keeps no token counts, and Anthropic reports no requests: the
  // evidence gives the figures it has (the amount; the requests where counted), `tokometer
  // reconcile` (named in the fix) the rest.
  it('leaves out of its evidence the calls and tokens the stored run does not have', async () => {
    const r = await audit(many(3, () => ({})), { detectors: [unmeteredTraffic], reconcileRuns: [run('anthropic', 1, null, 1_580_000_000), run('openai', 1, 12, 672_000_000)] });
    const table = renderAuditTable(r, { color: false });
    expect(table).toContain('evidence    $1.58\n');
    expect(table).toContain('evidence    12 calls · $0.672\n');
    expect(table).not.toMatch(/0 calls|0 in \/ 0 out/);
    expect(renderAuditMarkdown(r)).toContain('- **Evidence:** $1.58\n');
    const doc = JSON.parse(renderAuditJson(r)) as { findings: Array<{ scope: { provider: string }; evidence: Record<string, unknown> }> };
    const evidence = (provider: string) => doc.findings.find((f) => f.scope.provider === provider)!.evidence;
    expect(evidence('anthropic')).toMatchObject({ calls: null, cost_usd: 1.58, input_tokens: null, output_tokens: null });
    expect(evidence('openai')).toMatchObject({ calls: 12, cost_usd: 0.672, input_tokens: null, output_tokens: null });
  });
});
