import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/telemetry/index.js';
import { startOtelExport } from '../../src/telemetry/otel-export.js';
import { resolveTelemetry } from '../../src/telemetry/settings.js';
import type { CallTelemetry } from '../../src/telemetry/types.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { CHAT_SPAN_ATTRIBUTES, finishedCall, memoryLog, telemetryConfig } from './helpers.js';

const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';
/** Short delays so the loop exports within a test's patience. */
const FAST_ENV = { OTEL_BSP_SCHEDULE_DELAY: '20', OTEL_METRIC_EXPORT_INTERVAL: '100' };
const PROVIDERS: Array<[string, string]> = [['openai', 'https://api.openai.com/v1']];

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(['http/protobuf', 'http/json'] as const)('export over %s to a real receiver', (protocol) => {
  let receiver: OtlpReceiver;
  let telemetry: CallTelemetry;

  beforeAll(async () => {
    receiver = await new OtlpReceiver().start();
    const log = memoryLog();
    const started = await startTelemetry({
      options: telemetryConfig({ endpoint: receiver.url, protocol, headers: { 'x-collector-token': 'collector-secret' }, service_name: 'meter-test' }),
      env: { ...FAST_ENV, OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,service.name=ignored' },
      log,
      providers: PROVIDERS,
    });
    telemetry = started as CallTelemetry;
    expect(telemetry).not.toBeNull();
  });
  afterAll(async () => {
    await telemetry.shutdown(2000);
    await receiver.stop();
  });

  it('exports a CLIENT span in the incoming trace with the GenAI attributes, cost and tags', async () => {
    const call = finishedCall({}, { trace: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`, tracestate: 'vendor=abc' } });
    telemetry.record(call);
    await receiver.waitFor('the span', () => receiver.spans.some((s) => s.traceId === PARENT_TRACE));
    const span = receiver.spans.find((s) => s.traceId === PARENT_TRACE)!;
    expect(span.encoding).toBe(protocol === 'http/json' ? 'json' : 'protobuf');
    expect(span.parentSpanId).toBe(PARENT_SPAN);
    expect(span.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span.spanId).not.toBe(PARENT_SPAN);
    expect(span.traceState).toBe('vendor=abc');
    expect(span.kind).toBe(3);
    expect(span.name).toBe('chat gpt-4o-mini');
    expect(span.startNs).toBe(BigInt(call.record.ts) * 1_000_000n);
    expect(span.endNs).toBe(BigInt(call.record.ts) * 1_000_000n + 42_500_000n);
    expect(span.attributes).toMatchObject({
      ...CHAT_SPAN_ATTRIBUTES,
      'gen_ai.request.max_tokens': 256,
      'server.address': 'api.openai.com',
      'server.port': 443,
      'http.response.status_code': 200,
      'gen_ai.usage.cost.amount': 0.0001161,
      'tokometer.cost.nano_usd': 116_100,
      'tokometer.outcome': 'ok',
      'tokometer.tag.user_id': 'u_1',
    });
    expect(Math.round((span.attributes['gen_ai.usage.cost.amount'] as number) * 1e9)).toBe(116_100);
    expect(span.attributes['error.type']).toBeUndefined();
    expect(span.status.code).toBe(0);
    expect(span.events).toEqual([{ name: 'gen_ai.first_chunk', timeNs: BigInt(call.record.ts) * 1_000_000n + 12_250_000n, attributes: { 'gen_ai.response.time_to_first_chunk': 0.01225 } }]);
    expect(span.resource).toMatchObject({ 'service.name': 'meter-test', 'deployment.environment.name': 'test' });
    const exported = receiver.exports.find((e) => e.path === '/v1/traces')!;
    expect(exported.headers['x-collector-token']).toBe('collector-secret');
  });

  it('starts a new trace without traceparent, and marks a failed call as an error', async () => {
    telemetry.record(finishedCall({ modelRequested: 'gpt-4o', outcome: 'upstream_error', status: 500, usage: null, costNano: 0, streamed: false, error: 'upstream said 500' }, { finishReasons: null, responseModel: null }));
    await receiver.waitFor('the error span', () => receiver.spans.some((s) => s.name === 'chat gpt-4o'));
    const span = receiver.spans.find((s) => s.name === 'chat gpt-4o')!;
    expect(span.parentSpanId).toBe('');
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.traceId).not.toBe(PARENT_TRACE);
    expect(span.attributes['error.type']).toBe('500');
    expect(span.status).toEqual({ code: 2, message: 'upstream said 500' });
    expect(span.events).toEqual([]);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
  });

  it('a streamed error answer (an Anthropic 500 to a stream request) gets no gen_ai.first_chunk event: it has no first chunk of output', async () => {
    const call = finishedCall(
      { provider: 'anthropic', endpoint: 'messages', modelRequested: 'claude-sonnet-4-5', model: 'claude-sonnet-4-5', outcome: 'upstream_error', status: 500, streamed: true, ttfbMs: 30, usage: null, costNano: 0, error: 'upstream said 500' },
      { finishReasons: null, responseModel: null },
    );
    telemetry.record(call);
    await receiver.waitFor('the streamed error span', () => receiver.spans.some((s) => s.name === 'chat claude-sonnet-4-5'));
    const span = receiver.spans.find((s) => s.name === 'chat claude-sonnet-4-5')!;
    expect(span.attributes['http.response.status_code']).toBe(500);
    expect(span.events).toEqual([]);
    expect(span.attributes['gen_ai.response.time_to_first_chunk']).toBeUndefined();
  });

  it('exports the GenAI metrics with only the allowed tag keys', async () => {
    const costOf = (outcome: string) => receiver.points.some((p) => p.metric === 'tokometer.cost' && p.attributes['tokometer.outcome'] === outcome);
    const anthropicCost = () => receiver.points.some((p) => p.metric === 'tokometer.cost' && p.attributes['gen_ai.provider.name'] === 'anthropic');
    await receiver.waitFor('the calls\' cost series', () => costOf('ok') && costOf('upstream_error') && anthropicCost());
    const names = new Set(receiver.points.map((p) => p.metric));
    expect([...names].sort()).toEqual(['gen_ai.client.operation.duration', 'gen_ai.client.operation.time_to_first_chunk', 'gen_ai.client.token.usage', 'tokometer.cost']);
    for (const p of receiver.points) {
      const tagKeys = Object.keys(p.attributes).filter((k) => k.startsWith('tokometer.tag.'));
      expect(tagKeys).toEqual(['tokometer.tag.feature']);
      expect(p.attributes['tokometer.key']).toBe('summarizer');
    }
    // Cumulative points: the latest export of the successful call's series holds its cost.
    const ok = receiver.points.filter((p) => p.attributes['tokometer.outcome'] === 'ok');
    const cost = ok.filter((p) => p.metric === 'tokometer.cost');
    expect(cost.at(-1)?.unit).toBe('USD');
    expect(Math.round((cost.at(-1)?.value ?? 0) * 1e9)).toBe(116_100);
    expect(receiver.points.find((p) => p.metric === 'tokometer.cost' && p.attributes['error.type'] === '500')?.value).toBe(0);
    // Only a 2xx stream has a time to its first chunk: no point for the streamed Anthropic 500.
    expect(receiver.points.filter((p) => p.metric === 'gen_ai.client.operation.time_to_first_chunk' && p.attributes['gen_ai.provider.name'] === 'anthropic')).toEqual([]);
    const tokens = ok.filter((p) => p.metric === 'gen_ai.client.token.usage');
    expect(tokens.find((p) => p.attributes['gen_ai.token.type'] === 'input')?.sum).toBe(1250);
    expect(tokens.find((p) => p.attributes['gen_ai.token.type'] === 'output')?.sum).toBe(9);
  });
});

describe('the export loop', () => {
  it('follows the parent sampling decision: an unsampled traceparent gives no span', async () => {
    const receiver = await new OtlpReceiver().start();
    const telemetry = (await startTelemetry({ options: telemetryConfig({ traces_endpoint: `${receiver.url}/v1/traces` }), env: FAST_ENV, log: memoryLog(), providers: PROVIDERS }))!;
    telemetry.record(finishedCall({ modelRequested: 'unsampled' }, { trace: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-00` } }));
    telemetry.record(finishedCall({ modelRequested: 'sampled' }, { trace: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01` } }));
    await receiver.waitFor('the sampled span', () => receiver.spans.length > 0);
    await telemetry.shutdown(2000);
    expect(receiver.spans.map((s) => s.name)).toEqual(['chat sampled']);
    expect(receiver.points).toEqual([]);
    await receiver.stop();
  });

  it('drops what exceeds the queue and counts it', async () => {
    const receiver = await new OtlpReceiver().start();
    const telemetry = (await startTelemetry({ options: telemetryConfig({ endpoint: receiver.url }), env: { ...FAST_ENV, OTEL_BSP_MAX_QUEUE_SIZE: '3' }, log: memoryLog(), providers: PROVIDERS }))!;
    for (let i = 0; i < 10; i++) telemetry.record(finishedCall({ modelRequested: `m${i}` }));
    expect(telemetry.counts().spansDroppedQueueFull).toBe(7);
    await receiver.waitFor('three spans', () => telemetry.counts().spansExported === 3);
    expect(receiver.spans.map((s) => s.name)).toEqual(['chat m0', 'chat m1', 'chat m2']);
    await telemetry.shutdown(2000);
    await receiver.stop();
  });

  it('with a dead collector: record never fails, drops are counted, one log line per interval', async () => {
    const port = await deadPort();
    const settings = resolveTelemetry(telemetryConfig({ endpoint: `http://127.0.0.1:${port}`, failure_log_interval_ms: 60_000 }), { ...FAST_ENV, OTEL_EXPORTER_OTLP_TIMEOUT: '100' })!;
    let now = 0;
    const log = memoryLog();
    const telemetry = startOtelExport(settings, { log, servers: new Map(), now: () => now });
    for (let i = 0; i < 5; i++) telemetry.record(finishedCall());
    const failedOnce = () => telemetry.counts().spansDroppedExportFailed >= 5 && telemetry.counts().metricPointsDropped > 0;
    await waitUntil(failedOnce);
    const warnings = () => log.lines.filter((l) => l.level === 'warn');
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.fields).toMatchObject({ collector: `http://127.0.0.1:${port}/v1/traces` });
    // More failures inside the interval stay silent; the next interval logs again.
    const before = telemetry.counts().metricPointsDropped;
    await waitUntil(() => telemetry.counts().metricPointsDropped > before);
    expect(warnings()).toHaveLength(1);
    now += 60_000;
    telemetry.record(finishedCall());
    await waitUntil(() => warnings().length === 2);
    expect(warnings()[1]?.fields?.spans_dropped_total).toBeGreaterThanOrEqual(5);
    await telemetry.shutdown(500);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
