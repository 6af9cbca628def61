import { z } from 'zod';
import { TAG_KEY_RE, TAG_KEY_RULE } from '../domain/names.js';
import { HEADER_VALUE_RULE, isHeaderName, isHeaderValue } from '../lib/header-text.js';
import type { TelemetryOptions } from '../telemetry/types.js';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

/**
 * The `telemetry:` section: OpenTelemetry (OTLP over HTTP) export of every call as a span
 * and as GenAI metrics. It says the same as the standard `OTEL_*` variables; a value set
 * here wins over the variable. Fields left out stay undefined here so that the variables
 * can still fill them (telemetry/settings.ts applies the defaults). Nothing is exported,
 * and nothing of the exporter is loaded, unless an endpoint is set here or in the
 * environment.
 */
export const telemetrySchema = z.strictObject({
  /** Base URL of an OTLP/HTTP collector; `/v1/traces` and `/v1/metrics` are appended (OTEL_EXPORTER_OTLP_ENDPOINT). */
  endpoint: httpUrl.optional(),
  /** Full URL for spans, used as is (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT). */
  traces_endpoint: httpUrl.optional(),
  /** Full URL for metrics, used as is (OTEL_EXPORTER_OTLP_METRICS_ENDPOINT). */
  metrics_endpoint: httpUrl.optional(),
  /** OTLP encoding (OTEL_EXPORTER_OTLP_PROTOCOL); default http/protobuf. */
  protocol: z.enum(['http/protobuf', 'http/json']).optional(),
  /** Headers sent with every export, e.g. a vendor's API key (OTEL_EXPORTER_OTLP_HEADERS). */
  headers: z.record(z.string().refine(isHeaderName, 'not a valid HTTP header name'), z.string().refine(isHeaderValue, HEADER_VALUE_RULE)).optional(),
  /** `service.name` of the exported resource (OTEL_SERVICE_NAME); default tokometer. */
  service_name: z.string().min(1).optional(),
  /** More resource attributes, e.g. `deployment.environment.name: prod` (OTEL_RESOURCE_ATTRIBUTES). */
  resource_attributes: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /**
   * Tag keys that become metric attributes. Spans carry every tag; metrics only these,
   * so a per-user tag cannot explode a metrics backend's cardinality. Default [feature].
   */
  metric_tags: z.array(z.string().regex(TAG_KEY_RE, `invalid tag key (${TAG_KEY_RULE})`)).default(['feature']),
  /** ms between metric exports (OTEL_METRIC_EXPORT_INTERVAL); default 60000. */
  metric_interval_ms: z.number().int().positive().optional(),
  /** ms between two log lines about a failing collector; default 60000 (one a minute). */
  failure_log_interval_ms: z.number().int().positive().default(60_000),
});

export type TelemetryConfig = z.infer<typeof telemetrySchema>;

/** The section as the telemetry module takes it (plain values, camelCase). */
export function telemetryOptions(c: TelemetryConfig): TelemetryOptions {
  return {
    ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    ...(c.traces_endpoint ? { tracesEndpoint: c.traces_endpoint } : {}),
    ...(c.metrics_endpoint ? { metricsEndpoint: c.metrics_endpoint } : {}),
    ...(c.protocol ? { protocol: c.protocol } : {}),
    ...(c.headers ? { headers: c.headers } : {}),
    ...(c.service_name ? { serviceName: c.service_name } : {}),
    ...(c.resource_attributes ? { resourceAttributes: c.resource_attributes } : {}),
    metricTags: c.metric_tags,
    ...(c.metric_interval_ms ? { metricIntervalMs: c.metric_interval_ms } : {}),
    failureLogIntervalMs: c.failure_log_interval_ms,
  };
}
