import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../src/lib/errors.js';
import type { RequestInfo } from '../../src/providers/types.js';
import { CallRecorder } from '../../src/proxy/call-recorder.js';
import { ContextMemory } from '../../src/proxy/context-memory.js';
import { newObservation } from '../../src/proxy/observation.js';
import { FinishedCalls } from '../../src/proxy/finished-calls.js';
import { silentLogger } from '../../src/proxy/log.js';
import type { CallRecord } from '../../src/store/types.js';
import { FAKE_PRICER, FakeGate } from './fakes.js';

const INFO: RequestInfo = { endpoint: 'chat.completions', kind: 'chat', metered: true, model: 'gpt-4o-mini', streaming: false, maxOutputTokens: 100 };
const BODY = new TextEncoder().encode('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]}');

function recorder(info: RequestInfo = INFO) {
  const gate = new FakeGate();
  const finished = new FinishedCalls((error) => {
    throw error;
  });
  const records: CallRecord[] = [];
  finished.subscribe((r) => records.push(r));
  const rec = new CallRecorder({ pricer: FAKE_PRICER, budgets: gate, finished, log: silentLogger }, 'openai', 1_000, 50, {});
  rec.identify('app', { team: 'search' });
  rec.describe(info, BODY);
  rec.hold('held');
  return { rec, gate, records };
}

const seenUsage = (model: string) => ({ ...newObservation(), firstByteAt: 60, observed: { usage: { inputTokens: 100, outputTokens: 10, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 }, model, estimated: false } });

describe('CallRecorder', () => {
  it('finishes a call exactly once: the first of complete, fail and refuse wins, later ones change nothing', () => {
    const { rec, gate, records } = recorder();
    rec.complete(200, seenUsage('gpt-4o-mini-2024-07-18'), 80);
    rec.fail('client_aborted', { status: 0, error: 'late' });
    rec.refuse(new ProxyError('forbidden', 'late'));
    rec.complete(200, seenUsage('gpt-4o-mini-2024-07-18'), 90);
    expect(rec.finished).toBe(true);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ ts: 1_000, outcome: 'ok', status: 200, latencyMs: 30, ttfbMs: 10, costNano: 100 * 10 + 10 * 20, model: 'gpt-4o-mini-2024-07-18', keyName: 'app', promptBytes: BODY.length, maxOutputTokens: 100 });
    expect(gate.settled).toEqual([['held', 1200]]);
  });

  it('records a model without a price as cost null (never 0) and settles the reservation at 0', () => {
    const { rec, gate, records } = recorder();
    rec.complete(200, seenUsage('unpriced-model'), 80);
    expect(records[0]).toMatchObject({ costNano: null, priceSource: null, usageSource: 'reported' });
    expect(gate.settled).toEqual([['held', 0]]);
  });

  it('records a completed body that did not parse as usage unknown (cost null); one that parsed without usage as estimated', () => {
    const unparsed = recorder();
    unparsed.rec.complete(200, { ...newObservation(), bodyParsed: false }, 80);
    expect(unparsed.records[0]).toMatchObject({ usage: null, usageSource: 'unknown', costNano: null });
    const silent = recorder();
    silent.rec.complete(200, { ...newObservation(), frames: 7 }, 80);
    expect(silent.records[0]).toMatchObject({ usageSource: 'estimated', usage: { outputTokens: 7 } });
    expect(silent.records[0]?.usage?.inputTokens).toBeGreaterThan(0);
  });

  it('a call whose usage will never be read is estimated at its whole output allowance, and keeps its hash when the body was let go', () => {
    const whole = recorder({ ...INFO, outputChoices: 2 });
    whole.rec.summariseBody();
    whole.rec.completeUnknown(200, { ...newObservation(), frames: 3 }, 80, 'why');
    const plain = recorder();
    plain.rec.complete(200, newObservation(), 80);
    expect(whole.records[0]).toMatchObject({ outcome: 'ok', usageSource: 'estimated', error: 'why', usage: { outputTokens: 200 }, promptBytes: BODY.length });
    // The same hash and input estimate as from the body itself.
    expect(whole.records[0]?.requestHash).toBe(plain.records[0]?.requestHash);
    expect(whole.records[0]?.usage?.inputTokens).toBe(plain.records[0]?.usage?.inputTokens);
  });

  it('an estimated continued call counts the conversation it continues as input', () => {
    const contexts = new ContextMemory();
    contexts.remember('resp_prev', 5000);
    const finished = new FinishedCalls((error) => {
      throw error;
    });
    const records: CallRecord[] = [];
    finished.subscribe((r) => records.push(r));
    const rec = new CallRecorder({ pricer: FAKE_PRICER, budgets: new FakeGate(), finished, log: silentLogger, contexts }, 'openai', 1_000, 50, {});
    rec.describe({ ...INFO, endpoint: 'responses', kind: 'responses', continues: 'resp_prev' }, BODY);
    rec.complete(200, newObservation(), 80);
    const alone = recorder();
    alone.rec.complete(200, newObservation(), 80);
    expect(records[0]?.usage?.inputTokens).toBe((alone.records[0]?.usage?.inputTokens ?? 0) + 5000);
  });

  it('never meters a refused call, an unmetered endpoint, or a failure that cannot have reached the provider', () => {
    const refused = recorder();
    refused.rec.refuse(new ProxyError('forbidden', 'no'));
    expect(refused.records[0]).toMatchObject({ outcome: 'refused', status: 403, error: 'no', usage: null, usageSource: 'not_metered', costNano: 0 });
    const other = recorder({ ...INFO, metered: false, endpoint: 'other', model: null });
    other.rec.complete(200, newObservation(), 80);
    expect(other.records[0]).toMatchObject({ outcome: 'ok', usageSource: 'not_metered', costNano: 0, endpoint: 'other' });
    const neverSent = recorder();
    neverSent.rec.fail('upstream_failed', { status: 502, error: 'refused', reachedProvider: false });
    expect(neverSent.records[0]).toMatchObject({ usage: null, usageSource: 'not_metered', costNano: 0 });
  });
});
