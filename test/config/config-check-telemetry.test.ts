import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerConfigCommand } from '../../src/cli/config.js';
import { ConfigError } from '../../src/lib/errors.js';
import { configDir } from './config-files.js';

/** `config check` in a folder holding `yaml` as tokometer.yaml, with `env`. */
async function check(yaml: string, env: Record<string, string | undefined>) {
  const cwd = configDir({ 'tokometer.yaml': yaml }, 'tokometer-otel-check-');
  let out = '';
  const program = new Command('tokometer').exitOverride();
  registerConfigCommand(program, { cwd, env, out: (t) => (out += t), err: () => {} });
  await program.parseAsync(['config', 'check'], { from: 'user' });
  return out;
}

/**
 * `config check` promises what serve will do with the config: serve also reads the OTEL_*
 * variables (telemetry/settings.ts) and refuses to start (exit 2) on one it cannot use, so
 * the check must refuse them the same way and say where spans and metrics go.
 */
describe('config check and OpenTelemetry export', () => {
  it('refuses an OTEL_* variable that serve refuses, naming it', async () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' };
    const failure = check('providers: {}\n', env);
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow('OTEL_EXPORTER_OTLP_PROTOCOL');
  });

  it('refuses an endpoint that is not an http(s) URL', async () => {
    await expect(check('providers: {}\n', { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' })).rejects.toThrow('OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  it('says where spans and metrics go, without the credentials in the URL or the headers', async () => {
    const out = await check('telemetry:\n  endpoint: "http://user:pw@127.0.0.1:4318"\n  headers: { x-api-key: "hdr-secret" }\n', {});
    expect(out).toMatch(/telemetry\s+traces to http:\/\/127\.0\.0\.1:4318\/v1\/traces \(http\/protobuf\); metrics to http:\/\/127\.0\.0\.1:4318\/v1\/metrics \(http\/protobuf, every 60 s\)\n/);
    for (const secret of ['pw', 'hdr-secret']) expect(out).not.toContain(secret);
  });

  it('says export is off when nothing asks for it', async () => {
    expect(await check('providers: {}\n', {})).toMatch(/telemetry\s+off \(no telemetry\.endpoint or OTEL_EXPORTER_OTLP_ENDPOINT\)\n/);
  });

  it('names what turned export off when an endpoint is set (a review: it blamed the missing endpoint)', async () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(await check('providers: {}\n', { ...endpoint, OTEL_SDK_DISABLED: 'true' })).toMatch(/telemetry\s+off \(OTEL_SDK_DISABLED=true\)\n/);
    expect(await check('telemetry:\n  endpoint: "http://127.0.0.1:4318"\n', { OTEL_SDK_DISABLED: 'TRUE' })).toMatch(/telemetry\s+off \(OTEL_SDK_DISABLED=true\)\n/);
    expect(await check('providers: {}\n', { ...endpoint, OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' })).toMatch(
      /telemetry\s+off \(OTEL_TRACES_EXPORTER and OTEL_METRICS_EXPORTER are none\)\n/,
    );
  });

  it('gives each signal its own reason when one is off by its exporter variable and the other has no endpoint (a review: it blamed the missing endpoint alone)', async () => {
    const tracesOnly = { OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' };
    expect(await check('providers: {}\n', tracesOnly)).toContain(
      'off (traces: OTEL_TRACES_EXPORTER=none; metrics: no telemetry.endpoint, telemetry.metrics_endpoint, OTEL_EXPORTER_OTLP_METRICS_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT)\n',
    );
    const metricsOnly = { OTEL_METRICS_EXPORTER: 'None' };
    expect(await check('telemetry:\n  metrics_endpoint: "http://c:4318/v1/metrics"\n', metricsOnly)).toContain(
      'off (traces: no telemetry.endpoint, telemetry.traces_endpoint, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT; metrics: OTEL_METRICS_EXPORTER=none)\n',
    );
  });
});
