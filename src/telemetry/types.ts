import type { CallRecord } from '../store/types.js';

/**
 * What the `telemetry:` config section says (config/telemetry-schema.ts converts it), as
 * plain values. Each field has a standard OTEL_* variable that it wins over; left out,
 * the variable or the default applies (settings.ts).
 */
export interface TelemetryOptions {
  /** Collector base URL; `/v1/traces` and `/v1/metrics` are appended. */
  endpoint?: string;
  /** Full URL for spans. */
  tracesEndpoint?: string;
  /** Full URL for metrics. */
  metricsEndpoint?: string;
  protocol?: 'http/protobuf' | 'http/json';
  headers?: Record<string, string>;
  serviceName?: string;
  resourceAttributes?: Record<string, string | number | boolean>;
  /** Tag keys that become metric attributes. */
  metricTags: readonly string[];
  /** ms between metric exports. */
  metricIntervalMs?: number;
  /** ms between two log lines about a failing collector. */
  failureLogIntervalMs: number;
}

/** The W3C trace context headers of the incoming request, exactly as received. */
export interface TraceHeaders {
  traceparent: string;
  tracestate?: string;
}

/**
 * One finished call, as announced once by the proxy when its record is made: the stored
 * record plus what a span needs that the record does not keep.
 */
export interface FinishedCall {
  record: CallRecord;
  /** The incoming request's trace context; null = the span starts a new trace. */
  trace: TraceHeaders | null;
  /** Model as the provider answered it; null when the response did not say. */
  responseModel: string | null;
  /** Why generation stopped, per choice/candidate, as the provider reported it (e.g. `stop`, `end_turn`). */
  finishReasons: readonly string[] | null;
  /** Name of the budget that refused the call; null when no budget refused it. */
  budget: string | null;
}

/** Counts of what the exporter delivered and lost since start; shown on `/metrics`. */
export interface TelemetryCounts {
  spansExported: number;
  /** Finished calls dropped because the queue was full (the collector is slower than the calls). */
  spansDroppedQueueFull: number;
  /** Spans in export requests that failed (collector unreachable or refusing). */
  spansDroppedExportFailed: number;
  metricPointsExported: number;
  /** Metric data points in export requests that failed. */
  metricPointsDropped: number;
}

/**
 * Where finished calls go when OpenTelemetry export is on. `record` never blocks, never
 * throws and never waits on the network: it only queues.
 */
export interface CallTelemetry {
  record(call: FinishedCall): void;
  counts(): TelemetryCounts;
  /** Exports what is queued (bounded by `timeoutMs`), then stops the exporters. */
  shutdown(timeoutMs: number): Promise<void>;
}

/** The one logging call the exporter makes (proxy/log.ts Logger fits). */
export interface TelemetryLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
}
