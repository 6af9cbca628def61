import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { telemetryOptions } from '../../src/config/telemetry-schema.js';
import { ConfigError } from '../../src/lib/errors.js';
import { resolveTelemetry } from '../../src/telemetry/settings.js';
import { telemetryConfig } from './helpers.js';

const none = telemetryConfig();

describe('resolveTelemetry', () => {
  it('is off (null) when neither the config nor the environment names an endpoint', () => {
    expect(resolveTelemetry(none, {})).toBeNull();
    expect(resolveTelemetry(telemetryConfig({ service_name: 'x', metric_tags: ['team'] }), { OTEL_SERVICE_NAME: 'y', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBeNull();
  });

  it('takes the standard variables: base endpoint plus signal paths, protobuf by default, headers, service name and resource', () => {
    const s = resolveTelemetry(none, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=abc%3D%3D, x-other = 1',
      OTEL_SERVICE_NAME: 'llm-meter',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,team=ai%20platform',
    });
    expect(s?.traces).toEqual({ url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf', headers: { 'x-honeycomb-team': 'abc==', 'x-other': '1' } });
    expect(s?.metrics?.url).toBe('http://collector:4318/v1/metrics');
    expect(s?.resource).toEqual({ 'deployment.environment.name': 'prod', team: 'ai platform', 'service.name': 'llm-meter', 'service.instance.id': expect.any(String) });
    expect(s?.metricTags).toEqual(['feature']);
    expect(s).toMatchObject({ metricIntervalMs: 60_000, maxQueueSize: 2048, maxExportBatchSize: 512, scheduleDelayMs: 5000, exportTimeoutMs: 10_000, failureLogIntervalMs: 60_000 });
  });

  it('uses signal endpoints as they are, per-signal protocols and headers, and turns a signal off with none', () => {
    const s = resolveTelemetry(none, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.invalid/otlp/spans',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'k=traces',
      OTEL_EXPORTER_OTLP_HEADERS: 'k=all,j=all',
      OTEL_METRICS_EXPORTER: 'none',
    });
    expect(s?.traces).toEqual({ url: 'https://traces.example.invalid/otlp/spans', protocol: 'http/json', headers: { k: 'traces', j: 'all' } });
    expect(s?.metrics).toBeNull();
    expect(resolveTelemetry(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none' })).toBeNull();
    expect(resolveTelemetry(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBeNull();
  });

  it('lets the telemetry: section win over the variables, field by field', () => {
    const config = telemetryConfig({ endpoint: 'http://127.0.0.1:4318', protocol: 'http/json', headers: { k: 'config' }, service_name: 'from-config', resource_attributes: { team: 'a', replicas: 3 }, metric_tags: ['feature', 'team', 'feature'], metric_interval_ms: 5000 });
    const s = resolveTelemetry(config, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_HEADERS: 'k=env,e=env', OTEL_SERVICE_NAME: 'from-env', OTEL_RESOURCE_ATTRIBUTES: 'team=b,zone=eu' });
    expect(s?.traces).toEqual({ url: 'http://127.0.0.1:4318/v1/traces', protocol: 'http/json', headers: { k: 'config', e: 'env' } });
    expect(s?.resource).toEqual({ team: 'a', zone: 'eu', replicas: 3, 'service.name': 'from-config', 'service.instance.id': expect.any(String) });
    expect(s?.metricTags).toEqual(['feature', 'team']);
    expect(s?.metricIntervalMs).toBe(5000);
    expect(resolveTelemetry(telemetryConfig({ traces_endpoint: 'http://t:1/x' }), { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })?.traces?.url).toBe('http://t:1/x');
    expect(resolveTelemetry(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-resource' })?.resource['service.name']).toBe('from-resource');
  });

  it('names this process in service.instance.id (a new UUID per start) unless the config or OTEL_RESOURCE_ATTRIBUTES set one', () => {
    // Two replicas exporting the same cumulative tokometer.cost series under one resource are merged by a collector into one replica's spend.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    const a = resolveTelemetry(none, env)?.resource['service.instance.id'];
    const b = resolveTelemetry(none, env)?.resource['service.instance.id'];
    expect(a).toMatch(uuid);
    expect(b).toMatch(uuid);
    expect(a).not.toBe(b);
    expect(resolveTelemetry(none, { ...env, OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=eu-1' })?.resource['service.instance.id']).toBe('eu-1');
    expect(resolveTelemetry(telemetryConfig({ resource_attributes: { 'service.instance.id': 'pod-7' } }), env)?.resource['service.instance.id']).toBe('pod-7');
  });

  it('refuses what it cannot use with a message naming the variable, never repeating a header value', () => {
    const fails = (env: Record<string, string>) => () => resolveTelemetry(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', ...env });
    expect(fails({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported.*http\/protobuf/);
    expect(fails({ OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'thrift' })).toThrow("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'thrift' is not an OTLP protocol");
    expect(fails({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
    expect(fails({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'ftp://x/y' })).toThrow('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: expected an http:// or https:// URL');
    expect(fails({ OTEL_BSP_MAX_QUEUE_SIZE: '-1' })).toThrow("OTEL_BSP_MAX_QUEUE_SIZE: expected a positive whole number, got '-1'");
    expect(fails({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow('OTEL_TRACES_EXPORTER=zipkin is not supported');
    const bad = fails({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=ok,Bearer sekrit-value' });
    expect(bad).toThrow('OTEL_EXPORTER_OTLP_HEADERS: expected key=value pairs separated by commas; entry 2 has no key');
    try {
      bad();
    } catch (error) {
      expect(String(error)).not.toContain('sekrit');
    }
  });
});

describe('the telemetry: config section', () => {
  it('is checked like every other section', () => {
    expect(() => parseConfigText('telemetry:\n  protocol: grpc\n', { file: 't.yaml', env: {} })).toThrow(/t\.yaml:2:\d+: telemetry\.protocol/);
    expect(() => parseConfigText('telemetry:\n  endpoint: "collector:4318"\n', { file: 't.yaml', env: {} })).toThrow(/telemetry\.endpoint: expected an http:\/\/ or https:\/\/ URL/);
    expect(() => parseConfigText('telemetry:\n  metric_tags: ["bad key"]\n', { file: 't.yaml', env: {} })).toThrow(/telemetry\.metric_tags\[0\]: invalid tag key/);
    expect(() => parseConfigText('telemetry:\n  endpont: "http://c:4318"\n', { file: 't.yaml', env: {} })).toThrow(/endpont/);
    expect(parseConfigText('{}', { file: 't.yaml', env: {} }).telemetry).toEqual({ metric_tags: ['feature'], failure_log_interval_ms: 60_000 });
  });

  it('config.example.yaml: off as shipped, and every commented example in the section is valid', () => {
    const text = readFileSync(new URL('../../config.example.yaml', import.meta.url), 'utf8');
    const shipped = parseConfigText(text, { file: 'config.example.yaml', env: {} });
    expect(resolveTelemetry(telemetryOptions(shipped.telemetry), {})).toBeNull();
    const section = text.slice(text.indexOf('\ntelemetry:'));
    const uncommented = section.replace(/^ {2}# ([a-z_]+:)/gm, '  $1');
    const parsed = parseConfigText(uncommented, { file: 'telemetry.yaml', env: { HONEYCOMB_API_KEY: 'hk' } });
    expect(parsed.telemetry).toMatchObject({ endpoint: 'http://127.0.0.1:4318', protocol: 'http/protobuf', service_name: 'tokometer', metric_interval_ms: 60_000, headers: { 'x-honeycomb-team': 'hk' } });
    expect(resolveTelemetry(telemetryOptions(parsed.telemetry), {})?.traces?.url).toBe('https://otlp.example.invalid/v1/traces');
  });
});
