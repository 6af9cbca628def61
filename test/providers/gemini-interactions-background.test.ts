import { describe, expect, it } from 'vitest';
import { monotonicMs } from '../../src/lib/clock.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import type { ProviderRuntime } from '../../src/providers/registry.js';
import { BackgroundWatch, type PendingCall } from '../../src/proxy/background-watch.js';
import { silentLogger } from '../../src/proxy/log.js';
import { newObservation, type BodyObservation } from '../../src/proxy/observation.js';
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from '../../src/proxy/types.js';
import { waitFor } from '../support/proxy-harness.js';
import { replayStream } from './support.js';

/**
 * Background interactions (`background: true`; ai.google.dev/gemini-api/docs/background-execution:
 * "The API immediately returns an interaction ID, which client applications can use to poll
 * for status") answer `in_progress` (or `queued`) with no usage; the usage appears when
 * `GET /v1beta/interactions/{id}` (js-genai dist/index.cjs:15165) shows an end. Until now
 * such a call was recorded at once from its first answer, with no usage: the work the
 * provider then does and bills was never metered.
 */

const adapter = createGeminiAdapter();
const REQUEST = { model: 'gemini-2.5-flash', input: 'Write a guide on space exploration.', background: true };
const USAGE = { total_input_tokens: 1000, total_output_tokens: 6000, total_thought_tokens: 2000 };

describe('Gemini background interactions', () => {
  it('run detached, and their first answer names the interaction to read later (no usage yet)', () => {
    const info = adapter.describe('POST', '/v1beta/interactions', REQUEST);
    expect(info).toMatchObject({ endpoint: 'interactions', metered: true, runsDetached: true });
    for (const status of ['in_progress', 'queued']) {
      expect(adapter.usageFromJson(info, { id: 'int_1', model: 'gemini-2.5-flash', status })).toMatchObject({ usage: null, pendingId: 'int_1' });
    }
    // An answer that has ended names nothing to follow.
    expect(adapter.usageFromJson(info, { id: 'int_1', model: 'gemini-2.5-flash', status: 'completed', usage: USAGE }).pendingId).toBeUndefined();
  });

  it('a streamed one cut before interaction.completed (the provider goes on) names it too', () => {
    const event = (data: object): string => `event: ${(data as { event_type: string }).event_type}\ndata: ${JSON.stringify(data)}\n\n`;
    const body =
      event({ event_type: 'interaction.created', interaction: { id: 'int_1', model: 'gemini-2.5-flash', status: 'in_progress' } }) +
      event({ event_type: 'step.stop', index: 0, usage: { total_input_tokens: 1000, total_output_tokens: 90 } });
    const info = adapter.describe('POST', '/v1beta/interactions', { ...REQUEST, stream: true });
    expect(replayStream(adapter, info, { stripInjectedUsage: false }, body).observed.pendingId).toBe('int_1');
    // Not a background one: its request ends with the connection, nothing to follow.
    const foreground = adapter.describe('POST', '/v1beta/interactions', { model: 'gemini-2.5-flash', input: 'x', stream: true });
    expect(replayStream(adapter, foreground, { stripInjectedUsage: false }, body).observed.pendingId).toBeUndefined();
  });

  it('are read by status: queued and in_progress run on; completed, requires_action, incomplete, failed, cancelled end', () => {
    const pending = adapter.pending;
    expect(pending).toBeDefined();
    expect(pending!.url('http://upstream.invalid/v1beta/interactions', 'int_1')).toBe('http://upstream.invalid/v1beta/interactions/int_1');
    expect(pending!.read({ id: 'int_1', status: 'in_progress' })).toEqual({ running: true });
    expect(pending!.read({ id: 'int_1', status: 'queued' })).toEqual({ running: true });
    // A status that is no end, even one named like an Object method, is read again.
    expect(pending!.read({ id: 'int_1', status: 'toString' })).toEqual({ running: true });
    const done = pending!.read({ id: 'int_1', model: 'gemini-2.5-flash', status: 'completed', usage: USAGE });
    // 1,000 input; 6,000 output + 2,000 thoughts = 8,000 output.
    expect(done).toMatchObject({ running: false, end: 'completed', error: null, observed: { model: 'gemini-2.5-flash', usage: { inputTokens: 1000, outputTokens: 8000 } } });
    expect(pending!.read({ id: 'int_1', status: 'requires_action', usage: USAGE })).toMatchObject({ running: false, end: 'completed' });
    expect(pending!.read({ id: 'int_1', status: 'incomplete', usage: USAGE })).toMatchObject({ running: false, end: 'incomplete' });
    expect(pending!.read({ id: 'int_1', status: 'failed', usage: USAGE, errors: [{ message: 'overloaded' }] })).toMatchObject({ running: false, end: 'failed', error: 'interaction failed: overloaded' });
    expect(pending!.read({ id: 'int_1', status: 'cancelled' })).toMatchObject({ running: false, end: 'cancelled' });
    // An agent's interaction keeps no model.
    expect(pending!.read({ id: 'int_1', agent: 'deep-research-pro-preview-12-2025', model: 'gemini-3-pro-preview', status: 'completed', usage: USAGE })).toMatchObject({ observed: { model: null } });
  });

  it('are followed by the background watch with the provider key until they end', async () => {
    const provider: ProviderRuntime = { name: 'gemini', adapter, baseUrl: 'http://upstream.invalid', apiKey: 'g-key', connectTimeoutMs: 1000, headersTimeoutMs: 1000, idleTimeoutMs: 1000 };
    const answers = [{ id: 'int_1', status: 'in_progress' }, { id: 'int_1', model: 'gemini-2.5-flash', status: 'completed', usage: USAGE }];
    const requests: UpstreamRequest[] = [];
    const client: UpstreamClient = {
      async request(req) {
        requests.push(req);
        const bytes = new TextEncoder().encode(JSON.stringify(answers[Math.min(requests.length - 1, answers.length - 1)]));
        return { status: 200, headers: {}, body: undefined as never, bytes: async () => bytes } satisfies UpstreamResponse;
      },
      close: async () => {},
    };
    const ends: Array<{ how: string; seen: BodyObservation }> = [];
    const call: PendingCall = {
      complete: (_status, seen) => void ends.push({ how: 'complete', seen }),
      fail: (outcome, failure) => void ends.push({ how: outcome, seen: failure.seen ?? newObservation() }),
      completeUnknown: (_status, seen) => void ends.push({ how: 'estimate', seen }),
      summariseBody: () => {},
    };
    const watch = new BackgroundWatch(client, { pollFirstMs: 5, pollMaxMs: 20, maxWaitMs: 60_000 }, silentLogger);
    watch.follow('int_1', call, provider, 'http://upstream.invalid/v1beta/interactions', 200, newObservation(), monotonicMs());
    await waitFor(() => ends.length === 1, 5000, 'the end');
    expect(requests[0]).toMatchObject({ url: 'http://upstream.invalid/v1beta/interactions/int_1', method: 'GET' });
    expect(requests[0]!.headers['x-goog-api-key']).toBe('g-key');
    expect(ends[0]!.how).toBe('complete');
    expect(ends[0]!.seen.observed?.usage).toMatchObject({ inputTokens: 1000, outputTokens: 8000 });
  });
});
