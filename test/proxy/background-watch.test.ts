import { describe, expect, it } from 'vitest';
import { monotonicMs } from '../../src/lib/clock.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import type { ProviderRuntime } from '../../src/providers/registry.js';
import { BackgroundWatch, MAX_FOLLOWED, type BackgroundTiming, type PendingCall } from '../../src/proxy/background-watch.js';
import { newObservation, type BodyObservation, type Failure } from '../../src/proxy/observation.js';
import { silentLogger } from '../../src/proxy/log.js';
import { UpstreamError, type UpstreamClient, type UpstreamRequest, type UpstreamResponse } from '../../src/proxy/types.js';
import { waitFor } from '../support/proxy-harness.js';

const PROVIDER: ProviderRuntime = {
  name: 'openai',
  adapter: createOpenAiAdapter(),
  baseUrl: 'http://upstream.test/v1',
  apiKey: 'sk-upstream-0123456789',
  connectTimeoutMs: 1000,
  headersTimeoutMs: 1000,
  idleTimeoutMs: 1000,
};

const USAGE = { input_tokens: 10, output_tokens: 20, total_tokens: 30 };

/** One scripted answer of the fake upstream: a status and body, or a connection failure. */
type Answer = { status: number; body: unknown } | 'unreachable';

/** An upstream client answering each request with the next scripted answer (the last one repeats), noting when each came. */
function scriptedUpstream(answers: Answer[]) {
  const requests: Array<{ req: UpstreamRequest; at: number }> = [];
  const client: UpstreamClient = {
    async request(req) {
      requests.push({ req, at: performance.now() });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)] as Answer;
      if (answer === 'unreachable') throw new UpstreamError('unreachable', 'connection refused');
      const bytes = new TextEncoder().encode(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
      return { status: answer.status, headers: {}, body: undefined as never, bytes: async () => bytes } satisfies UpstreamResponse;
    },
    close: async () => {},
  };
  return { client, requests };
}

/** A call that notes how it was finished. */
function noteCall() {
  const ends: Array<{ how: string; seen: BodyObservation; at: number; note: string | null }> = [];
  const kept = { summarised: 0 };
  const call: PendingCall = {
    complete: (_status, seen, at, note = null) => void ends.push({ how: 'complete', seen, at, note }),
    fail: (outcome, failure: Failure, at = -1) => void ends.push({ how: outcome, seen: failure.seen ?? newObservation(), at, note: failure.error }),
    completeUnknown: (_status, seen, at, note, outcome = 'ok') => void ends.push({ how: outcome === 'ok' ? 'estimate' : `estimate, ${outcome}`, seen, at, note }),
    summariseBody: () => void kept.summarised++,
  };
  return { call, ends, kept };
}

const running = (id: string) => ({ status: 200, body: { id, object: 'response', status: 'in_progress', usage: null } });
const completed = (id: string) => ({ status: 200, body: { id, object: 'response', status: 'completed', model: 'gpt-4o-mini', usage: USAGE } });

function follow(answers: Answer[], timing: Partial<BackgroundTiming> = {}) {
  const upstream = scriptedUpstream(answers);
  const watch = new BackgroundWatch(upstream.client, { pollFirstMs: 5, pollMaxMs: 40, maxWaitMs: 60_000, ...timing }, silentLogger);
  const { call, ends, kept } = noteCall();
  const seen = newObservation();
  seen.firstByteAt = 12.5;
  const answeredAt = monotonicMs();
  watch.follow('resp_1', call, PROVIDER, 'http://upstream.test/v1/responses?api-version=2', 200, seen, answeredAt);
  return { watch, ends, kept, requests: upstream.requests, answeredAt };
}

describe('BackgroundWatch', () => {
  it('reads the response with the provider key until it ends, waiting twice as long each time up to the longest wait', async () => {
    const { watch, ends, kept, requests, answeredAt } = follow([running('resp_1'), running('resp_1'), running('resp_1'), running('resp_1'), completed('resp_1')]);
    expect(watch.size).toBe(1);
    // The request body is let go while the call waits.
    expect(kept.summarised).toBe(1);
    await waitFor(() => ends.length === 1, 5000, 'the end');
    expect(requests).toHaveLength(5);
    const first = requests[0]!.req;
    // Read next to the request's own URL, its query kept.
    expect(first).toMatchObject({ url: 'http://upstream.test/v1/responses/resp_1?api-version=2', method: 'GET', body: null });
    expect(first.headers.authorization).toBe('Bearer sk-upstream-0123456789');
    // Waits of 5, 10, 20, 40, 40 ms (each ±10 %): the gaps between reads grow up to the longest wait.
    const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at);
    expect(gaps[1]!).toBeGreaterThanOrEqual(8);
    expect(gaps[2]!).toBeGreaterThanOrEqual(17);
    expect(gaps[3]!).toBeGreaterThanOrEqual(35);
    // Finished with the final usage; the latency and first byte stay the answer's.
    expect(ends[0]).toMatchObject({ how: 'complete', at: answeredAt, note: null });
    expect(ends[0]!.seen.firstByteAt).toBe(12.5);
    expect(ends[0]!.seen.observed?.usage).toMatchObject({ inputTokens: 10, outputTokens: 20 });
    expect(watch.size).toBe(0);
  });

  it('tries again after a failed connection, a 5xx, a 429, an answer that is not JSON or one without a known end', async () => {
    const odd = { status: 200, body: { error: { message: 'a gateway said so' } } };
    const { ends, requests } = follow(['unreachable', { status: 503, body: 'busy' }, { status: 429, body: '{}' }, { status: 200, body: '<html>' }, odd, completed('resp_1')]);
    await waitFor(() => ends.length === 1, 5000, 'the end');
    expect(requests).toHaveLength(6);
    expect(ends[0]).toMatchObject({ how: 'complete', note: null });
  });

  it('gives up on a response the provider no longer has, or a refused read, with the estimate', async () => {
    for (const status of [404, 401]) {
      const { ends, requests } = follow([{ status, body: '{}' }]);
      await waitFor(() => ends.length === 1, 5000, 'the end');
      expect(requests).toHaveLength(1);
      expect(ends[0]).toMatchObject({ how: 'estimate', note: `background response resp_1: the provider answered its read with HTTP ${status}; usage estimated from the request` });
      expect(ends[0]!.seen.observed).toBeNull();
    }
  });

  it('records a response still running after the longest wait with its estimate', async () => {
    const { ends, requests } = follow([running('resp_1')], { maxWaitMs: 60 });
    // Reads at 5, 15 and 35 ms; the next wait is cut to the deadline at 60 ms, whose read is the
    // last (fewer reads when timers run late, never more).
    await waitFor(() => ends.length === 1, 5000, 'the end');
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests.length).toBeLessThanOrEqual(4);
    expect(ends[0]!.note).toMatch(/^background response resp_1 had not ended after 0 min \(limits.background_max_wait_ms\)/);
  });

  it('a failed or cancelled end finishes the call as failed or aborted, with the usage it carries', async () => {
    const failed = follow([{ status: 200, body: { id: 'resp_1', object: 'response', status: 'failed', usage: USAGE, error: { message: 'overloaded' } } }]);
    const cancelled = follow([{ status: 200, body: { id: 'resp_1', object: 'response', status: 'cancelled', usage: USAGE } }]);
    // Cancelled without usage: billed up to the cancel, never said how much: the estimate.
    const unread = follow([{ status: 200, body: { id: 'resp_1', object: 'response', status: 'cancelled', usage: null } }]);
    await waitFor(() => failed.ends.length === 1 && cancelled.ends.length === 1 && unread.ends.length === 1, 5000, 'the ends');
    expect(failed.ends[0]).toMatchObject({ how: 'upstream_failed', note: 'background response failed: overloaded' });
    expect(failed.ends[0]!.seen.observed?.usage).toMatchObject({ outputTokens: 20 });
    expect(cancelled.ends[0]).toMatchObject({ how: 'client_aborted', note: 'background response resp_1 was cancelled' });
    expect(unread.ends[0]).toMatchObject({ how: 'estimate, client_aborted', note: 'background response resp_1 was cancelled without usage; usage estimated from the request' });
  });

  it(`follows at most ${MAX_FOLLOWED} calls at once; the next is recorded at once with its estimate`, () => {
    const watch = new BackgroundWatch(scriptedUpstream([running('x')]).client, { pollFirstMs: 60_000, pollMaxMs: 60_000, maxWaitMs: 600_000 }, silentLogger);
    for (let i = 0; i < MAX_FOLLOWED; i++) watch.follow(`resp_${i}`, noteCall().call, PROVIDER, 'http://upstream.test/v1/responses', 200, newObservation(), monotonicMs());
    const over = noteCall();
    watch.follow('resp_over', over.call, PROVIDER, 'http://upstream.test/v1/responses', 200, newObservation(), monotonicMs());
    expect(watch.size).toBe(MAX_FOLLOWED);
    expect(over.ends[0]).toMatchObject({ how: 'estimate' });
    expect(over.ends[0]!.note).toContain(`${MAX_FOLLOWED} background responses were already followed`);
    watch.close();
    expect(watch.size).toBe(0);
  });

  it('close finishes every call still followed, once, and a call handed over after it at once', async () => {
    const { watch, ends, requests } = follow([running('resp_1')], { pollFirstMs: 10_000, pollMaxMs: 10_000 });
    watch.close();
    expect(ends).toHaveLength(1);
    expect(ends[0]!.how).toBe('estimate');
    expect(ends[0]!.note).toMatch(/^tokometer stopped before background response resp_1 ended/);
    const late = noteCall();
    watch.follow('resp_2', late.call, PROVIDER, 'http://upstream.test/v1/responses', 200, newObservation(), 1);
    expect(late.ends[0]).toMatchObject({ how: 'estimate' });
    expect(late.ends[0]!.note).toMatch(/^background response resp_2 was not followed \(tokometer was stopping\)/);
    await new Promise((r) => setTimeout(r, 30));
    expect(requests).toHaveLength(0);
    expect(ends).toHaveLength(1);
  });
});
