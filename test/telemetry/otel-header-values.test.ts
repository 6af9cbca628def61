import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { startTelemetry } from '../../src/telemetry/index.js';
import { resolveTelemetry } from '../../src/telemetry/settings.js';
import type { CallTelemetry } from '../../src/telemetry/types.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { finishedCall, memoryLog, telemetryConfig } from './helpers.js';

/**
 * OTEL_EXPORTER_OTLP_HEADERS is checked at start for its shape (`garbage` is refused,
 * naming the variable), but not for what an HTTP header may hold: a key with a space
 * (`bad%20key=v`) or a value with a line break (`x-k=a%0Ab`) passes, `serve` says
 * "OpenTelemetry export on", and then every export fails (Node refuses the header), every
 * span is dropped, and the warning names the collector and an "Invalid header" error, never
 * the variable. A user expects the start to stop with a line naming the variable, as for
 * the other unusable OTEL_* values.
 */

const none = telemetryConfig();
const FAST_ENV = { OTEL_BSP_SCHEDULE_DELAY: '20', OTEL_METRIC_EXPORT_INTERVAL: '100' };

describe('OTEL_EXPORTER_OTLP_HEADERS that no HTTP request can carry', () => {
  let receiver: OtlpReceiver | undefined;
  let telemetry: CallTelemetry | null = null;
  afterEach(async () => {
    await telemetry?.shutdown(500);
    telemetry = null;
    await receiver?.stop();
  });

  it('refuses them at start instead of failing every export with a warning that names no variable', async () => {
    receiver = await new OtlpReceiver().start();
    const log = memoryLog();
    let startError: unknown = null;
    try {
      telemetry = await startTelemetry({ options: none, env: { ...FAST_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: 'bad%20key=sekrit' }, log, providers: [] });
    } catch (error) {
      startError = error;
    }
    if (telemetry) {
      telemetry.record(finishedCall());
      await new Promise((r) => setTimeout(r, 1500));
    }
    // The start is refused naming the variable (nothing exported, nothing to warn about).
    const refused = startError instanceof Error && startError.message.includes('OTEL_EXPORTER_OTLP_HEADERS');
    expect({ refused, spans: receiver.spans.length, warnings: log.lines.filter((l) => l.level === 'warn').map((l) => l.fields?.error) }).toEqual({ refused: true, spans: 0, warnings: [] });
  });

  it.each([
    ['a key with a space', 'bad%20key=v'],
    ['a key with a colon', 'x:y=v'],
    ['a value with a line break', 'x-k=a%0Ab'],
    ['a value with a NUL', 'x-k=a%00b'],
  ])('refuses %s at start, naming the variable and never the value', (_what, headers) => {
    const resolve = () => resolveTelemetry(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: headers });
    expect(resolve).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
  });

  it('still takes ordinary headers, percent-encoded values included', () => {
    const s = resolveTelemetry(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc,x-honeycomb-team=k' });
    expect(s?.traces?.headers).toEqual({ Authorization: 'Bearer abc', 'x-honeycomb-team': 'k' });
  });
});

describe('telemetry.headers in the config that no HTTP request can carry', () => {
  // Same failure as the variable's: serve starts with export on, then every export fails.
  it.each([
    ['a name with a space', '"bad key": v'],
    ['a value with a line break', 'x-k: "a\\nb"'],
  ])('refuses %s when the config is read, naming the field', (_what, entry) => {
    expect(() => parseConfigText(`telemetry:\n  endpoint: "http://c:4318"\n  headers:\n    ${entry}\n`, { file: 't.yaml', env: {} })).toThrow(/telemetry\.headers/);
  });
});
