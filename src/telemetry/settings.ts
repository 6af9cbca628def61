import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../lib/errors.js';
import { HEADER_VALUE_RULE, isHeaderName, isHeaderValue } from '../lib/header-text.js';
import type { TelemetryOptions } from './types.js';

/** Environment variables, as `process.env` gives them. */
type Env = Readonly<Record<string, string | undefined>>;

/** The OTLP encodings tokometer sends (both over HTTP). */
export type OtlpProtocol = NonNullable<TelemetryOptions['protocol']>;

/** Where and how one signal (spans or metrics) is exported. */
export interface SignalTarget {
  /** Full URL the OTLP request is POSTed to. */
  url: string;
  protocol: OtlpProtocol;
  /** Extra request headers (vendor API keys); never logged. */
  headers: Record<string, string>;
}

/**
 * Everything the exporter needs, resolved once at start from the `telemetry:` options and
 * the standard OTEL_* variables (a config value wins over its variable). Null signals are
 * not exported.
 */
export interface TelemetrySettings {
  traces: SignalTarget | null;
  metrics: SignalTarget | null;
  /**
   * Resource attributes, `service.name` included, and `service.instance.id` (a random UUID
   * per start unless the config or OTEL_RESOURCE_ATTRIBUTES set one), so the series of
   * several replicas stay apart.
   */
  resource: Record<string, string | number | boolean>;
  /** Tag keys that become metric attributes (`tokometer.tag.<key>`). */
  metricTags: readonly string[];
  /** ms between metric exports. */
  metricIntervalMs: number;
  /** Finished calls held while waiting for export; beyond it calls are dropped (counted). */
  maxQueueSize: number;
  /** Most spans in one export request. */
  maxExportBatchSize: number;
  /** ms a finished call waits at most before its span is exported. */
  scheduleDelayMs: number;
  /** ms one export request (with its retries) may take. */
  exportTimeoutMs: number;
  /** ms between two log lines about a failing collector. */
  failureLogIntervalMs: number;
}

const DEFAULT_SERVICE_NAME = 'tokometer';

/**
 * Resolves the telemetry settings, or null when nothing is to be exported: no endpoint in
 * the config or the environment, OTEL_SDK_DISABLED=true, or both signals set to `none`.
 * Throws ConfigError naming the variable or field for a value it cannot use.
 */
export function resolveTelemetry(config: TelemetryOptions, env: Env): TelemetrySettings | null {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return null;
  const traces = signal('traces', config, env);
  const metrics = signal('metrics', config, env);
  if (!traces && !metrics) return null;
  const resource: Record<string, string | number | boolean> = { ...keyValueList(env, 'OTEL_RESOURCE_ATTRIBUTES'), ...config.resourceAttributes };
  resource['service.name'] = config.serviceName ?? value(env, 'OTEL_SERVICE_NAME') ?? (typeof resource['service.name'] === 'string' ? resource['service.name'] : DEFAULT_SERVICE_NAME);
  // Each process its own series: replicas' cumulative counters under one resource would be merged by a collector.
  resource['service.instance.id'] ??= randomUUID();
  const maxQueueSize = positiveInt(env, 'OTEL_BSP_MAX_QUEUE_SIZE') ?? 2048;
  return {
    traces,
    metrics,
    resource,
    metricTags: [...new Set(config.metricTags)],
    metricIntervalMs: config.metricIntervalMs ?? positiveInt(env, 'OTEL_METRIC_EXPORT_INTERVAL') ?? 60_000,
    maxQueueSize,
    maxExportBatchSize: Math.min(maxQueueSize, positiveInt(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? 512),
    scheduleDelayMs: positiveInt(env, 'OTEL_BSP_SCHEDULE_DELAY') ?? 5000,
    exportTimeoutMs: positiveInt(env, 'OTEL_EXPORTER_OTLP_TIMEOUT') ?? 10_000,
    failureLogIntervalMs: config.failureLogIntervalMs,
  };
}

/**
 * Why resolveTelemetry gave null, in the words of the settings that did it (config check
 * prints it); call it only then. Each signal is off by its OTEL_<SIGNAL>_EXPORTER=none or
 * for want of an endpoint (one that had both an endpoint and no `none` would be exported):
 * the plain cases, both off the same way, say it once; otherwise each signal says its own.
 */
export function telemetryOffReason(env: Env): string {
  if (value(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return 'OTEL_SDK_DISABLED=true';
  const none = (upper: string) => value(env, `OTEL_${upper}_EXPORTER`)?.toLowerCase() === 'none';
  const tracesNone = none('TRACES');
  const metricsNone = none('METRICS');
  if (tracesNone && metricsNone) return 'OTEL_TRACES_EXPORTER and OTEL_METRICS_EXPORTER are none';
  if (!tracesNone && !metricsNone) return 'no telemetry.endpoint or OTEL_EXPORTER_OTLP_ENDPOINT';
  const reason = (kind: 'traces' | 'metrics', off: boolean) => {
    const upper = kind.toUpperCase();
    return `${kind}: ${off ? `OTEL_${upper}_EXPORTER=none` : `no telemetry.endpoint, telemetry.${kind}_endpoint, OTEL_EXPORTER_OTLP_${upper}_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT`}`;
  };
  return `${reason('traces', tracesNone)}; ${reason('metrics', metricsNone)}`;
}

/** One signal's target: config endpoints first, then the signal's own variable, then the shared one. */
function signal(kind: 'traces' | 'metrics', config: TelemetryOptions, env: Env): SignalTarget | null {
  const upper = kind.toUpperCase();
  const exporter = value(env, `OTEL_${upper}_EXPORTER`)?.toLowerCase();
  if (exporter === 'none') return null;
  if (exporter !== undefined && exporter !== 'otlp') {
    throw new ConfigError(`OTEL_${upper}_EXPORTER=${exporter} is not supported: tokometer exports OTLP over HTTP only (use otlp, or none to turn ${kind} off)`);
  }
  const own = kind === 'traces' ? config.tracesEndpoint : config.metricsEndpoint;
  const url =
    own ??
    (config.endpoint ? withPath(config.endpoint, `v1/${kind}`) : undefined) ??
    httpUrl(env, `OTEL_EXPORTER_OTLP_${upper}_ENDPOINT`) ??
    (value(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ? withPath(httpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') as string, `v1/${kind}`) : undefined);
  if (!url) return null;
  checkFiles(env, upper);
  return {
    url,
    protocol: config.protocol ?? protocol(env, `OTEL_EXPORTER_OTLP_${upper}_PROTOCOL`) ?? protocol(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf',
    headers: { ...headerList(env, 'OTEL_EXPORTER_OTLP_HEADERS'), ...headerList(env, `OTEL_EXPORTER_OTLP_${upper}_HEADERS`), ...config.headers },
  };
}

/**
 * The exporter reads a private CA and a client certificate and key from the files these
 * variables name (the signal's own, else the shared one), and drops one it cannot read
 * without a word, every export then failing: checked here so the start stops naming it.
 */
function checkFiles(env: Env, upper: string): void {
  for (const file of ['CERTIFICATE', 'CLIENT_CERTIFICATE', 'CLIENT_KEY']) {
    const own = `OTEL_EXPORTER_OTLP_${upper}_${file}`;
    const name = value(env, own) !== undefined ? own : `OTEL_EXPORTER_OTLP_${file}`;
    const where = value(env, name);
    if (where === undefined) continue;
    try {
      readFileSync(path.resolve(where));
    } catch (error) {
      throw new ConfigError(`${name}: cannot read '${where}' (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
}

/** A base URL with a signal path appended (`http://c:4318` + `v1/traces`). */
function withPath(base: string, path: string): string {
  return base.endsWith('/') ? base + path : `${base}/${path}`;
}

function value(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function httpUrl(env: Env, name: string): string | undefined {
  const v = value(env, name);
  if (v === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(`${name}: '${v}' is not a URL (expected e.g. http://127.0.0.1:4318)`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${name}: expected an http:// or https:// URL (OTLP over HTTP), got '${v}'`);
  return v;
}

function protocol(env: Env, name: string): OtlpProtocol | undefined {
  const v = value(env, name);
  if (v === undefined || v === 'http/protobuf' || v === 'http/json') return v;
  if (v === 'grpc') throw new ConfigError(`${name}=grpc is not supported: tokometer exports OTLP over HTTP; use http/protobuf (usually port 4318) or http/json`);
  throw new ConfigError(`${name}: '${v}' is not an OTLP protocol (use http/protobuf or http/json)`);
}

function positiveInt(env: Env, name: string): number | undefined {
  const v = value(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`${name}: expected a positive whole number, got '${v}'`);
  return n;
}

/** Collector headers: checked here, so a header no request can carry stops the start naming the variable. */
function headerList(env: Env, name: string): Record<string, string> {
  const headers = keyValueList(env, name);
  for (const [key, v] of Object.entries(headers)) {
    if (!isHeaderName(key)) throw new ConfigError(`${name}: '${key}' is not a valid HTTP header name`);
    if (!isHeaderValue(v)) throw new ConfigError(`${name}: the value of '${key}' ${HEADER_VALUE_RULE}`);
  }
  return headers;
}

/**
 * A W3C-baggage-style list as the OTEL_* variables use it: `k1=v1,k2=v2`, values
 * percent-encoded. An entry without `=` or with an empty key is a ConfigError.
 */
function keyValueList(env: Env, name: string): Record<string, string> {
  const v = value(env, name);
  const out: Record<string, string> = {};
  if (v === undefined) return out;
  // Messages never repeat a value: these variables carry collector credentials.
  v.split(',').forEach((entry, i) => {
    if (entry.trim() === '') return;
    const eq = entry.indexOf('=');
    const key = eq === -1 ? '' : entry.slice(0, eq).trim();
    if (key === '') throw new ConfigError(`${name}: expected key=value pairs separated by commas; entry ${i + 1} has no key`);
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(entry.slice(eq + 1).trim());
    } catch {
      throw new ConfigError(`${name}: the value of '${key}' is badly percent-encoded`);
    }
  });
  return out;
}
