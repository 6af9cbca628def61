import { withoutCredentials } from '../lib/url-credentials.js';
import { serverAddresses } from './attributes.js';
import { resolveTelemetry } from './settings.js';
import type { CallTelemetry, TelemetryCounts, TelemetryLog, TelemetryOptions } from './types.js';

export type { CallTelemetry, FinishedCall, TelemetryCounts, TelemetryOptions, TraceHeaders } from './types.js';

export interface StartTelemetryOptions {
  /** What the config's `telemetry:` section says. */
  options: TelemetryOptions;
  env: Readonly<Record<string, string | undefined>>;
  log: TelemetryLog;
  /** Base URL per tokometer provider name (for `server.address`). */
  providers: Iterable<[name: string, baseUrl: string]>;
}

/**
 * Starts OpenTelemetry export when the config or the OTEL_* variables ask for it, else
 * returns null without loading anything of the exporter: this `import()` is the only way
 * into the OpenTelemetry SDK (otel-sdk.ts). Throws ConfigError for unusable settings.
 */
export async function startTelemetry(o: StartTelemetryOptions): Promise<CallTelemetry | null> {
  const settings = resolveTelemetry(o.options, o.env);
  if (!settings) return null;
  const { startOtelExport } = await import('./otel-export.js');
  const telemetry = startOtelExport(settings, { log: o.log, servers: serverAddresses(o.providers) });
  o.log.info('OpenTelemetry export on', {
    traces: settings.traces ? `${withoutCredentials(settings.traces.url)} (${settings.traces.protocol})` : 'off',
    metrics: settings.metrics ? `${withoutCredentials(settings.metrics.url)} (${settings.metrics.protocol}, every ${settings.metricIntervalMs} ms)` : 'off',
    metric_tags: settings.metricTags,
  });
  return telemetry;
}

/** Prometheus lines for `/metrics`: what the exporter delivered and dropped. */
export function renderTelemetryCounts(c: TelemetryCounts): string {
  return [
    '# HELP tokometer_otel_spans_exported_total Spans delivered to the OpenTelemetry collector.',
    '# TYPE tokometer_otel_spans_exported_total counter',
    `tokometer_otel_spans_exported_total ${c.spansExported}`,
    '# HELP tokometer_otel_spans_dropped_total Spans not delivered: queue full (collector slower than the calls) or export failed.',
    '# TYPE tokometer_otel_spans_dropped_total counter',
    `tokometer_otel_spans_dropped_total{reason="queue_full"} ${c.spansDroppedQueueFull}`,
    `tokometer_otel_spans_dropped_total{reason="export_failed"} ${c.spansDroppedExportFailed}`,
    '# HELP tokometer_otel_metric_points_exported_total Metric data points delivered to the OpenTelemetry collector.',
    '# TYPE tokometer_otel_metric_points_exported_total counter',
    `tokometer_otel_metric_points_exported_total ${c.metricPointsExported}`,
    '# HELP tokometer_otel_metric_points_dropped_total Metric data points in exports that failed.',
    '# TYPE tokometer_otel_metric_points_dropped_total counter',
    `tokometer_otel_metric_points_dropped_total ${c.metricPointsDropped}`,
    '',
  ].join('\n');
}
