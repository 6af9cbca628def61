import { describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/telemetry/index.js';
import { memoryLog, telemetryConfig } from './helpers.js';

const COLLECTOR_PASSWORD = 'otel-pass-5d2e9b';

/**
 * A collector URL may carry a credential in its user:password part: the failure log
 * strips it (failure-log.ts `withoutCredentials`). The line logged when export starts
 * must not print it either.
 */
describe('OpenTelemetry start-up log', () => {
  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', { OTEL_EXPORTER_OTLP_ENDPOINT: `http://tenant:${COLLECTOR_PASSWORD}@127.0.0.1:9` }, {}],
    ['telemetry.endpoint', {}, { endpoint: `http://tenant:${COLLECTOR_PASSWORD}@127.0.0.1:9` }],
  ])('never logs the collector password (%s)', async (_where, env, section) => {
    const log = memoryLog();
    const telemetry = await startTelemetry({ options: telemetryConfig(section), env, log, providers: [] });
    expect(telemetry).not.toBeNull();
    await telemetry?.shutdown(100);
    const started = log.lines.find((l) => l.msg === 'OpenTelemetry export on');
    expect(started).toBeDefined();
    expect(JSON.stringify(log.lines)).not.toContain(COLLECTOR_PASSWORD);
  });
});
