import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { FakeUpstream, sseFrames, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { CHAT_SPAN_ATTRIBUTES } from '../telemetry/helpers.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/openai/${name}`, import.meta.url), 'utf8');
const CHAT = fixture('chat.json');
const STREAM = fixture('chat-stream-usage.sse');
const UPSTREAM_KEY = 'sk-otel-upstream-key-000000000000';
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';
const TRACEPARENT = `00-${TRACE}-${PARENT}-01`;
const TRACESTATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';

function reply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/chat/completions') return undefined;
  return (req.json as { stream?: boolean }).stream ? { headers: { 'content-type': 'text/event-stream' }, body: sseFrames(STREAM), delayMs: 1 } : { body: CHAT };
}

/**
 * One case: which build, which OTLP encoding, and whether export is configured by the
 * standard OTEL_* variables or by the `telemetry:` section of the config.
 */
interface Case {
  build: Build;
  protocol: 'http/protobuf' | 'http/json';
  via: 'env' | 'config';
}

const CASES: Case[] = [
  { build: 'binary', protocol: 'http/protobuf', via: 'env' },
  { build: 'binary', protocol: 'http/json', via: 'config' },
  { build: 'node', protocol: 'http/protobuf', via: 'env' },
];

/**
 * OpenTelemetry export through the BUILT artefacts: an official SDK calls the proxy with
 * a W3C traceparent, the proxy calls the fake provider, and a real OTLP/HTTP receiver
 * decodes what tokometer exports. Spans must sit in the caller's trace, carry the GenAI
 * attributes and the same cost as the stored row; metrics carry only allowed tag keys;
 * no secret appears in any export.
 */
describe.each(CASES)('OpenTelemetry export ($build, $protocol via $via)', ({ build, protocol, via }) => {
  let dir: string;
  let fake: FakeUpstream;
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `tokometer-otel-${build}-`));
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply }).start();
    receiver = await new OtlpReceiver().start();
    const telemetry = via === 'config' ? `telemetry:\n  endpoint: "${receiver.url}"\n  protocol: ${protocol}\n  metric_interval_ms: 200\n  service_name: meter-e2e\n` : '';
    writeFileSync(
      path.join(dir, 'tokometer.yaml'),
      `providers:\n  openai: { base_url: "${fake.url}", api_key: "\${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 20 }\n` +
        `budgets:\n  - { name: capped-tier, match: { user_tier: capped }, limit_usd: 0 }\n${telemetry}`,
    );
  });
  afterAll(async () => {
    await fake.stop();
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports each call as a child span of the caller, with the recorded cost, tags and metrics, and no secret', async () => {
    const otelEnv: Record<string, string> =
      via === 'env' ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'meter-e2e', OTEL_METRIC_EXPORT_INTERVAL: '200', OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=collector-secret' } : {};
    const env = { UPSTREAM_KEY, OTEL_BSP_SCHEDULE_DELAY: '50', ...otelEnv };
    const created = await runCli(build, ['keys', 'create', 'summarizer', '--tag', 'feature=summarizer'], { cwd: dir, env });
    expect(created.code).toBe(0);
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;

    const serve = await startServe(build, ['--port', '0'], { cwd: dir, env });
    const client = new OpenAI({ apiKey: secret, baseURL: `${serve.url}/proxy/openai`, maxRetries: 0 });
    const headers = (tier: string) => ({ headers: { traceparent: TRACEPARENT, tracestate: TRACESTATE, 'X-Metering-Tags': JSON.stringify({ user_tier: tier, user_id: 'u_42' }) } });
    await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] }, headers('pro'));
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }, headers('pro'));
    for await (const chunk of stream) expect(chunk).toBeDefined();
    const refused = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, headers('capped')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.RateLimitError);
    // A call without trace context starts its own trace.
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'no trace' }] }, { headers: { 'X-Metering-Tags': '{"user_tier":"pro"}' } });

    await receiver.waitFor('four spans', () => receiver.spans.length >= 4);
    await receiver.waitFor('the cost metric of both outcomes', () => ['ok', 'refused'].every((o) => receiver.points.some((p) => p.metric === 'tokometer.cost' && p.attributes['tokometer.outcome'] === o)));
    const scrape = await (await fetch(`${serve.url}/metrics`)).text();
    expect(scrape).toMatch(/^tokometer_otel_spans_exported_total [4-9]$/m);
    expect(scrape).toContain('tokometer_otel_spans_dropped_total{reason="export_failed"} 0');
    expect(await stopProcess(serve.child)).toBe(0);
    expect(fake.problems).toEqual([]);
    expect(receiver.problems).toEqual([]);

    // traceparent and tracestate reach the provider exactly as the client sent them.
    expect(fake.requests.filter((r) => r.headers.traceparent === TRACEPARENT && r.headers.tracestate === TRACESTATE)).toHaveLength(2);

    const db = openDriver(path.join(dir, 'tokometer.db'), { readonly: true });
    const rows = db.prepare('SELECT cost_nano, streamed, outcome FROM calls ORDER BY id').all<{ cost_nano: number | null; streamed: number; outcome: string }>();
    db.close();
    expect(rows.map((r) => r.outcome)).toEqual(['ok', 'ok', 'refused', 'ok']);

    const inTrace = receiver.spans.filter((s) => s.traceId === TRACE);
    expect(inTrace).toHaveLength(3);
    for (const span of inTrace) {
      expect(span.parentSpanId).toBe(PARENT);
      expect(span.traceState).toBe(TRACESTATE);
      expect(span.kind).toBe(3);
      expect(span.name).toBe('chat gpt-4o-mini');
      expect(span.encoding).toBe(protocol === 'http/json' ? 'json' : 'protobuf');
      expect(span.resource['service.name']).toBe('meter-e2e');
    }
    const okSpan = (streamedCall: boolean) => inTrace.find((x) => x.attributes['tokometer.streamed'] === streamedCall && x.attributes['tokometer.outcome'] === 'ok') as ReceivedSpan;
    const plain = okSpan(false);
    const streamed = okSpan(true);
    const budget = inTrace.find((x) => x.attributes['tokometer.outcome'] === 'refused');
    for (const [span, row] of [[plain, rows[0]], [streamed, rows[1]]] as const) {
      expect(span).toBeDefined();
      expect(span.attributes).toMatchObject({
        ...CHAT_SPAN_ATTRIBUTES,
        'server.address': '127.0.0.1',
        'http.response.status_code': 200,
        'tokometer.tag.user_tier': 'pro',
        'tokometer.tag.user_id': 'u_42',
      });
      // The exported cost is the stored row's, to the nano-dollar.
      expect(row?.cost_nano).toBe(116_100);
      expect(span.attributes['tokometer.cost.nano_usd']).toBe(row?.cost_nano);
      expect(Math.round((span.attributes['gen_ai.usage.cost.amount'] as number) * 1e9)).toBe(row?.cost_nano);
    }
    expect(plain.attributes['gen_ai.request.max_tokens']).toBe(64);
    expect(plain.events).toEqual([]);
    expect(streamed.events.map((e) => e.name)).toEqual(['gen_ai.first_chunk']);
    expect(streamed.events[0]!.timeNs).toBeGreaterThan(streamed.startNs);
    expect(streamed.events[0]!.timeNs).toBeLessThanOrEqual(streamed.endNs);
    expect(streamed.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);

    expect(budget?.attributes).toMatchObject({ 'tokometer.outcome': 'refused', 'tokometer.budget': 'capped-tier', 'error.type': '429', 'http.response.status_code': 429, 'tokometer.cost.nano_usd': 0 });
    expect(budget?.status.code).toBe(2);
    const own = receiver.spans.find((s) => s.traceId !== TRACE) as ReceivedSpan;
    expect(own.parentSpanId).toBe('');

    // Metrics: the allowed tag key only (default metric_tags: [feature]), never user_id or user_tier.
    for (const p of receiver.points) {
      expect(Object.keys(p.attributes).filter((k) => k.startsWith('tokometer.tag.'))).toEqual(['tokometer.tag.feature']);
    }
    const okCost = receiver.points.filter((p) => p.metric === 'tokometer.cost' && p.attributes['tokometer.outcome'] === 'ok').at(-1);
    expect(Math.round((okCost?.value ?? 0) * 1e9)).toBe(3 * 116_100);
    expect(receiver.points.some((p) => p.metric === 'gen_ai.client.operation.time_to_first_chunk')).toBe(true);

    // No provider key or metering key in any span or metric, in either encoding.
    for (const e of receiver.exports) {
      const text = e.raw.toString('latin1');
      expect(text).not.toContain(UPSTREAM_KEY);
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/mk_[0-9A-Za-z]{32}/);
    }
    if (via === 'env') expect(receiver.exports.every((e) => e.headers['x-collector-token'] === 'collector-secret')).toBe(true);
    expect(serve.output().stderr).not.toContain('collector-secret');
  });
});

/** A collector that accepts connections and never answers: every export runs into its timeout. */
async function silentCollector(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('OpenTelemetry export to a collector that never answers (binary)', () => {
  let dir: string;
  let fake: FakeUpstream;
  let collector: Awaited<ReturnType<typeof silentCollector>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-otel-dead-'));
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply }).start();
    collector = await silentCollector();
    const port = collector.port;
    writeFileSync(
      path.join(dir, 'tokometer.yaml'),
      `providers:\n  openai: { base_url: "${fake.url}", api_key: "\${UPSTREAM_KEY}" }\nstore: { flush_interval_ms: 20 }\n` +
        `telemetry:\n  endpoint: "http://127.0.0.1:${port}"\n  metric_interval_ms: 300\n  failure_log_interval_ms: 1000\n`,
    );
  });
  afterAll(async () => {
    await fake.stop();
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves every call, counts the drops and logs the failure once per interval', async () => {
    const env = { UPSTREAM_KEY, OTEL_BSP_SCHEDULE_DELAY: '20', OTEL_EXPORTER_OTLP_TIMEOUT: '300', OTEL_BSP_MAX_QUEUE_SIZE: '4' };
    const created = await runCli('binary', ['keys', 'create', 'k'], { cwd: dir, env });
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    const serve = await startServe('binary', ['--port', '0'], { cwd: dir, env });
    const client = new OpenAI({ apiKey: secret, baseURL: `${serve.url}/proxy/openai`, maxRetries: 0 });
    const started = Date.now();
    let calls = 0;
    while (Date.now() - started < 3500) {
      const res = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      expect(res.usage?.total_tokens).toBe(1259);
      calls++;
      await new Promise((r) => setTimeout(r, 25));
    }
    const scrape = await (await fetch(`${serve.url}/metrics`)).text();
    const elapsed = Date.now() - started;
    expect(await stopProcess(serve.child)).toBe(0);
    const count = (re: RegExp) => Number(re.exec(scrape)?.[1] ?? NaN);
    const failed = count(/^tokometer_otel_spans_dropped_total\{reason="export_failed"\} (\d+)$/m);
    const queueFull = count(/^tokometer_otel_spans_dropped_total\{reason="queue_full"\} (\d+)$/m);
    expect(failed).toBeGreaterThan(0);
    expect(queueFull).toBeGreaterThan(0);
    expect(count(/^tokometer_otel_spans_exported_total (\d+)$/m)).toBe(0);
    expect(count(/^tokometer_otel_metric_points_dropped_total (\d+)$/m)).toBeGreaterThan(0);

    const lines = serve.output().stderr.split('\n').filter((l) => l.includes('OpenTelemetry export failed'));
    // One line when the failure starts, then at most one per second (failure_log_interval_ms).
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.length).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 1);

    const db = openDriver(path.join(dir, 'tokometer.db'), { readonly: true });
    const rows = db.prepare("SELECT count(*) AS n FROM calls WHERE outcome = 'ok'").get<{ n: number }>();
    db.close();
    expect(rows?.n).toBe(calls);
  });
});
