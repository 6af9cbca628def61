import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { sseFrames } from '../support/fake-upstream.js';
import { FaultUpstream, type Fault } from '../support/fault-upstream.js';
import { UPSTREAM_KEY, waitFor } from '../support/proxy-harness.js';
import { startForSuite } from '../support/suite-resource.js';
import { startBunProxyOn } from './bun-driver.js';

/**
 * A provider that cuts its stream mid-body, on the Bun edge: the call is recorded
 * upstream_failed (the record says why), and the log gets no stack trace. Providers with
 * an in-stream error frame (OpenAI, Anthropic, Gemini) end the client's stream with it;
 * Mistral and Cohere have none, so the edge cuts the client's connection instead — which
 * used to reach Bun as a rejected stream pull, printed raw ("UpstreamError: connection
 * closed before the body ended … at onClose (src/server/bun-exchange.ts…)").
 */

const fixture = (name: string) => sseFrames(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

const CASES = [
  { provider: 'mistral', path: '/v1/chat/completions', body: '{"model":"mistral-small-latest","stream":true,"messages":[]}', frames: fixture('mistral/chat-stream.sse') },
  { provider: 'cohere', path: '/v2/chat', body: '{"model":"command-a-03-2025","stream":true,"messages":[]}', frames: fixture('cohere/chat-stream.sse') },
  // Cohere v1 streams newline-delimited JSON (relay mode ndjson).
  { provider: 'cohere', path: '/v1/chat', body: '{"model":"command-r","stream":true,"message":"hi"}', frames: ['{"is_finished":false,"event_type":"stream-start","generation_id":"g1"}\n', '{"is_finished":false,"event_type":"text-generation","text":"Hel"}\n', '{"is_finished":false,"event_type":"text-generation","text":"lo"}\n', '{"is_finished":true,"event_type":"stream-end","finish_reason":"COMPLETE"}\n'] },
  { provider: 'openai', path: '/chat/completions', body: '{"model":"gpt-4o-mini","stream":true}', frames: fixture('openai/chat-stream-usage.sse') },
] as const;

describe('a stream cut by the provider, on the Bun edge: no stack trace in the log', () => {
  let fault: Fault = { kind: 'status', status: 500, body: '{}' };
  const target = startForSuite(async () => {
    const upstream = await new FaultUpstream(() => fault).start();
    const providers = ['openai', 'mistral', 'cohere'].map((p) => `  ${p}: { base_url: "${upstream.url}", api_key: "${UPSTREAM_KEY}" }`);
    return startBunProxyOn(['providers:', ...providers, 'store: { flush_interval_ms: 5 }', ''].join('\n'), upstream, {});
  }, 30_000);

  const rows = (): Array<Record<string, unknown>> => {
    const driver = openDriver(target().db, { readonly: true });
    try {
      return driver.prepare('SELECT provider, outcome, status, error FROM calls ORDER BY id').all<Record<string, unknown>>();
    } finally {
      driver.close();
    }
  };

  for (const c of CASES) {
    it(`${c.provider} ${c.path}: recorded upstream_failed, logged without a trace`, async () => {
      fault = { kind: 'stream', frames: [...c.frames], cutAfter: 2, delayMs: 5 };
      const before = rows().length;
      const logBefore = target().stderr().length;
      const res = await fetch(`${target().url}/proxy/${c.provider}${c.path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${target().secret}`, 'content-type': 'application/json' },
        body: c.body,
      });
      // Cut or ended with an error frame, the client sees the frames sent before the cut.
      const text = await res.text().catch(() => '');
      if (text !== '') expect(text.startsWith(c.frames.slice(0, 2).join(''))).toBe(true);
      await waitFor(() => rows().length === before + 1, 3000, 'one row');
      expect(rows().at(-1)).toMatchObject({ provider: c.provider, outcome: 'upstream_failed', status: 200, error: 'upstream body failed: connection closed before the body ended' });
      // Whatever Bun would print of a rejected stream comes right after the cut.
      await new Promise((r) => setTimeout(r, 200));
      const log = target().stderr().slice(logBefore);
      expect(log).not.toMatch(/^\s+at /m);
      expect(log).not.toMatch(/UpstreamError/);
    });
  }
});
