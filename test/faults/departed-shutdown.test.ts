import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { tagCall, type TaggedCall } from '../support/call-tag.js';
import { FaultUpstream, type Fault } from '../support/fault-upstream.js';
import { startHarness, UPSTREAM_KEY, waitFor, type Harness } from '../support/proxy-harness.js';
import { startBunProxyOn } from './bun-driver.js';

/**
 * Shutdown (RunningProxy.stop) while a non-streamed call whose client left is still reading its
 * answer (the provider bills it): the call counts as in flight until its answer is read, and
 * the grace period's end stops it, recorded, so the stop always ends and loses no record.
 */

const THOUGHT = JSON.stringify({
  id: 'chatcmpl-thought',
  object: 'chat.completion',
  model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: 'a long answer' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 100, completion_tokens: 500, total_tokens: 600 },
});

const config = (url: string) =>
  [
    'providers:',
    `  openai: { base_url: "${url}", api_key: "${UPSTREAM_KEY}", header_timeout_ms: 20000, idle_timeout_ms: 20000, connect_timeout_ms: 300 }`,
    'store: { flush_interval_ms: 5 }',
  ].join('\n');

/** A proxy under test: its stop (a SIGTERM for the Bun process) with a grace period of `graceMs`. */
interface Target {
  url: string;
  secret: string;
  dbPath: string;
  graceMs: number;
  stop(): Promise<void>;
  close(): Promise<void>;
}

const NODE_GRACE_MS = 2000;
/** test/faults/bun-proxy.ts stops with a 5 s grace period on SIGTERM. */
const BUN_GRACE_MS = 5000;

const edges: Array<[string, (upstreamUrl: string) => Promise<Target>]> = [
  [
    'Node edge',
    async (upstreamUrl) => {
      const h: Harness = await startHarness({ upstream: { reply: () => undefined }, configYaml: () => config(upstreamUrl) });
      return { url: h.baseUrl(), secret: h.secret, dbPath: h.dbPath, graceMs: NODE_GRACE_MS, stop: () => h.proxy.stop(NODE_GRACE_MS), close: () => h.close() };
    },
  ],
  [
    'Bun edge',
    async (upstreamUrl) => {
      const p = await startBunProxyOn(config(upstreamUrl), { stop: async () => {} }, {});
      return { url: `${p.url}/proxy/openai`, secret: p.secret, dbPath: p.db, graceMs: BUN_GRACE_MS, stop: () => p.terminate(), close: () => p.close() };
    },
  ],
];

describe.each(edges)('shutdown with a departed client still reading its answer (%s)', (_name, start) => {
  let fault: Fault = { kind: 'stall-headers' };
  let upstream: FaultUpstream;
  let target: Target;

  beforeEach(async () => {
    upstream = await new FaultUpstream(() => fault).start();
    target = await start(upstream.url);
  }, 30_000);
  afterEach(async () => {
    await target.close();
    await upstream.stop();
  });

  /** Sends a non-streamed chat call and leaves it once the provider has it. */
  const leaveOnceSent = async (call: TaggedCall) => {
    const controller = new AbortController();
    const pending = fetch(`${target.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.secret}`, ...call.headers },
      body: '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"think hard"}]}',
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await waitFor(() => upstream.requests.length > 0, 3000, 'the upstream request');
    // Past the departure watch's delay (departure.ts), so the proxy hears the client leave.
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await pending;
  };

  /** The stored rows of `call`, read from the database file after the stop closed it. */
  const storedRows = (call: TaggedCall) => {
    const driver = openDriver(target.dbPath, { readonly: true });
    try {
      return driver
        .prepare('SELECT outcome, status, input_tokens, output_tokens, cost_nano, tags FROM calls')
        .all<{ outcome: string; status: number; input_tokens: number; output_tokens: number; cost_nano: number; tags: string }>()
        .filter((r) => (JSON.parse(r.tags) as Record<string, string>).call === call.id);
    } finally {
      driver.close();
    }
  };

  it('waits for the answer within the grace period, and writes the call with its whole usage', async () => {
    fault = { kind: 'status', status: 200, body: THOUGHT, delayMs: 600 };
    const call = tagCall();
    await leaveOnceSent(call);
    const stopping = Date.now();
    await target.stop();
    // The answer came ~500 ms after the stop began: the stop waited for it.
    expect(Date.now() - stopping).toBeGreaterThan(300);
    expect(upstream.requests[0]?.closedEarly).toBe(false);
    expect(storedRows(call)).toEqual([expect.objectContaining({ outcome: 'client_aborted', status: 0, input_tokens: 100, output_tokens: 500, cost_nano: 100 * 150 + 500 * 600 })]);
  }, 30_000);

  it('stops a provider that does not answer at the grace period’s end, and writes the call', async () => {
    fault = { kind: 'stall-headers' };
    const call = tagCall();
    await leaveOnceSent(call);
    const stopping = Date.now();
    await target.stop();
    // The grace period, not the 20 s header timeout, ended it.
    expect(Date.now() - stopping).toBeLessThan(target.graceMs + 2500);
    await waitFor(() => upstream.requests[0]?.closedEarly === true, 3000, 'the upstream request cut');
    expect(storedRows(call)).toEqual([expect.objectContaining({ outcome: 'client_aborted', status: 0 })]);
  }, 30_000);
});
