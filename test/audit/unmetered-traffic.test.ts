import { describe, expect, it } from 'vitest';
import { unmeteredTraffic } from '../../src/audit/detectors/unmetered-traffic.js';
import type { ReconcileRunRecord } from '../../src/store/reconcile-runs.js';
import { DAY, SINCE, factOf, findings, many } from './helpers.js';

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
});
