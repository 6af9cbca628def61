/**
 * The only module that loads the OpenTelemetry SDK. index.ts imports it with `import()`
 * once export is configured, so a proxy without telemetry never loads any of it (and the
 * Bun binary bundles it but never evaluates it). Everything else in telemetry/ uses
 * these packages through `import type` only.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, defaultTextMapGetter, type Context, type Meter, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, W3CTraceContextPropagator, type ExportResult } from '@opentelemetry/core';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { TracerProvider, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { VERSION } from '../version.js';
import type { SignalTarget, TelemetrySettings } from './settings.js';
import type { TraceHeaders } from './types.js';

/** What the export loop needs from the SDK, built once. */
export interface OtelSdk {
  /** Null when traces are off. */
  traces: {
    tracer: Tracer;
    /** Receives each span as it ends (the loop collects them itself, see `onEnd`). */
    onEnd: (sink: ((span: ReadableSpan) => void) | null) => void;
    /** The parent context of a call: its incoming trace, or a new trace. */
    parent(trace: TraceHeaders | null): Context;
    exporter: SpanExporter;
    shutdown(): Promise<void>;
  } | null;
  /** Null when metrics are off. */
  metrics: {
    meter: Meter;
    forceFlush(): Promise<void>;
    shutdown(): Promise<void>;
  } | null;
  spanKindClient: SpanKind;
  statusError: SpanStatusCode;
  isSuccess(result: ExportResult): boolean;
}

/** Outcome of one metrics export, reported by the counting wrapper. */
export type MetricsExported = (points: number, ok: boolean, error: unknown) => void;

/** Builds the tracer, meter and OTLP exporters for `settings`. */
export function buildOtelSdk(settings: TelemetrySettings, onMetricsExported: MetricsExported): OtelSdk {
  const resource = defaultResource().merge(resourceFromAttributes({ 'service.version': VERSION, ...settings.resource }));
  return {
    traces: settings.traces ? buildTraces(settings.traces, settings, resource) : null,
    metrics: settings.metrics ? buildMetrics(settings.metrics, settings, resource, onMetricsExported) : null,
    spanKindClient: SpanKind.CLIENT,
    statusError: SpanStatusCode.ERROR,
    isSuccess: (result) => result.code === ExportResultCode.SUCCESS,
  };
}

function exporterOptions(target: SignalTarget, settings: TelemetrySettings) {
  return { url: target.url, headers: target.headers, timeoutMillis: settings.exportTimeoutMs };
}

function buildTraces(target: SignalTarget, settings: TelemetrySettings, resource: ReturnType<typeof defaultResource>): NonNullable<OtelSdk['traces']> {
  let sink: ((span: ReadableSpan) => void) | null = null;
  // Batching, the bounded queue and drop counting live in otel-export.ts (the SDK's
  // BatchSpanProcessor does not report its drops); this processor only hands spans over.
  const handOver: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => sink?.(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new TracerProvider({ resource, spanProcessors: [handOver] });
  const propagator = new W3CTraceContextPropagator();
  const exporter = target.protocol === 'http/json' ? new JsonTraceExporter(exporterOptions(target, settings)) : new ProtoTraceExporter(exporterOptions(target, settings));
  return {
    tracer: provider.getTracer('tokometer', VERSION),
    onEnd: (next) => {
      sink = next;
    },
    parent: (trace) => (trace ? propagator.extract(ROOT_CONTEXT, trace, defaultTextMapGetter) : ROOT_CONTEXT),
    exporter,
    shutdown: async () => {
      await provider.shutdown();
      await exporter.shutdown();
    },
  };
}

function buildMetrics(target: SignalTarget, settings: TelemetrySettings, resource: ReturnType<typeof defaultResource>, onExported: MetricsExported): NonNullable<OtelSdk['metrics']> {
  const inner = target.protocol === 'http/json' ? new JsonMetricExporter(exporterOptions(target, settings)) : new ProtoMetricExporter(exporterOptions(target, settings));
  const reader = new PeriodicExportingMetricReader({
    exporter: countingMetricExporter(inner, onExported),
    exportIntervalMillis: settings.metricIntervalMs,
    exportTimeoutMillis: Math.min(settings.exportTimeoutMs, settings.metricIntervalMs),
  });
  const provider = new MeterProvider({ resource, readers: [reader] });
  return {
    meter: provider.getMeter('tokometer', VERSION),
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Wraps a metric exporter to report how many data points each export carried and whether it arrived. */
function countingMetricExporter(inner: PushMetricExporter, onExported: MetricsExported): PushMetricExporter {
  const wrapped: PushMetricExporter = {
    export(metrics: ResourceMetrics, done) {
      const points = dataPoints(metrics);
      inner.export(metrics, (result) => {
        onExported(points, result.code === ExportResultCode.SUCCESS, result.error);
        done(result);
      });
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
  if (inner.selectAggregationTemporality) wrapped.selectAggregationTemporality = inner.selectAggregationTemporality.bind(inner);
  if (inner.selectAggregation) wrapped.selectAggregation = inner.selectAggregation.bind(inner);
  return wrapped;
}

function dataPoints(metrics: ResourceMetrics): number {
  let n = 0;
  for (const scope of metrics.scopeMetrics) for (const metric of scope.metrics) n += metric.dataPoints.length;
  return n;
}
