import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ServerAddress } from './attributes.js';
import { CallMetrics } from './call-metrics.js';
import { endCallSpan } from './call-span.js';
import { waitAtMost } from '../lib/wait-at-most.js';
import { FailureLog } from './failure-log.js';
import { buildOtelSdk, type OtelSdk } from './otel-sdk.js';
import type { TelemetrySettings } from './settings.js';
import type { CallTelemetry, FinishedCall, TelemetryCounts, TelemetryLog } from './types.js';

export interface OtelExportDeps {
  log: TelemetryLog;
  /** `server.address` / `server.port` per tokometer provider name. */
  servers: ReadonlyMap<string, ServerAddress>;
  /** ms clock for the failure log (tests). */
  now?: () => number;
}

/** Finished calls turned into spans and metric points per event-loop turn: keeps each turn short. */
const CALLS_PER_TURN = 64;

/** Starts OTLP export of spans and metrics for finished calls. */
export function startOtelExport(settings: TelemetrySettings, deps: OtelExportDeps): CallTelemetry {
  return new OtelExport(settings, deps);
}

type Timer = ReturnType<typeof setTimeout>;

/**
 * The export loop, off the request path. `record` only appends to a bounded queue. Every
 * `scheduleDelayMs` (or as soon as a batch is full) queued calls become spans and metric
 * points, a few dozen per event-loop turn; spans wait in a second bounded buffer and go
 * out in batches, one export request at a time. A full buffer drops spans and a failed
 * export drops its batch, both counted; a slow or dead collector never holds a call.
 */
class OtelExport implements CallTelemetry {
  private pending: FinishedCall[] = [];
  private ready: ReadableSpan[] = [];
  private readonly c: TelemetryCounts = { spansExported: 0, spansDroppedQueueFull: 0, spansDroppedExportFailed: 0, metricPointsExported: 0, metricPointsDropped: 0 };
  private readonly sdk: OtelSdk;
  private readonly metrics: CallMetrics | null;
  private readonly failures: FailureLog;
  private timer: Timer | null = null;
  private converting = false;
  private exporting: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly settings: TelemetrySettings,
    private readonly deps: OtelExportDeps,
  ) {
    this.failures = new FailureLog(deps.log, settings.failureLogIntervalMs, () => this.counts(), deps.now);
    const metricsUrl = settings.metrics?.url ?? '';
    this.sdk = buildOtelSdk(settings, (points, ok, error) => {
      if (ok) {
        this.c.metricPointsExported += points;
        this.failures.succeeded();
      } else {
        this.c.metricPointsDropped += points;
        this.failures.failed('metrics', metricsUrl, error);
      }
    });
    this.metrics = this.sdk.metrics ? new CallMetrics(this.sdk.metrics.meter, settings.metricTags, deps.servers) : null;
    this.sdk.traces?.onEnd((span) => {
      if (this.ready.length >= settings.maxQueueSize) this.c.spansDroppedQueueFull++;
      else this.ready.push(span);
    });
  }

  record(call: FinishedCall): void {
    if (this.closed) return;
    if (this.pending.length >= this.settings.maxQueueSize) {
      this.c.spansDroppedQueueFull++;
      return;
    }
    this.pending.push(call);
    if (this.pending.length >= this.settings.maxExportBatchSize) this.convertSoon();
    else if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.convertSoon();
      }, this.settings.scheduleDelayMs);
      this.timer.unref?.();
    }
  }

  counts(): TelemetryCounts {
    return { ...this.c };
  }

  async shutdown(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    while (this.pending.length > 0) this.convert();
    const drain = async () => {
      while (this.exporting || (this.sdk.traces && this.ready.length > 0)) await (this.exporting ?? this.exportBatch());
      // Shutting the meter provider down runs one last collection and export.
      await Promise.all([this.sdk.metrics?.shutdown(), this.sdk.traces?.shutdown()]);
    };
    await waitAtMost(drain().catch(() => {}), timeoutMs);
  }

  private convertSoon(): void {
    if (this.converting) return;
    this.converting = true;
    setImmediate(() => {
      this.converting = false;
      this.convert();
      if (this.pending.length > 0) this.convertSoon();
      else void this.exportSoon();
    });
  }

  /** Turns up to CALLS_PER_TURN queued calls into spans (into `ready`) and metric points. */
  private convert(): void {
    const calls = this.pending.length <= CALLS_PER_TURN ? this.pending : this.pending.slice(0, CALLS_PER_TURN);
    this.pending = calls === this.pending ? [] : this.pending.slice(CALLS_PER_TURN);
    const traces = this.sdk.traces;
    for (const call of calls) {
      const server = this.deps.servers.get(call.record.provider);
      try {
        this.metrics?.record(call);
        if (traces) endCallSpan(traces, this.sdk, call, server);
      } catch (error) {
        // A bug here must cost a span, never a call.
        this.c.spansDroppedExportFailed++;
        this.failures.failed('traces', this.settings.traces?.url ?? '', error);
      }
    }
    if (this.ready.length >= this.settings.maxExportBatchSize) void this.exportSoon();
  }

  private exportSoon(): Promise<void> | undefined {
    if (this.exporting || !this.sdk.traces || this.ready.length === 0) return undefined;
    return this.exportBatch();
  }

  /** Sends one batch; resolves when the collector answered (or the export timed out). */
  private exportBatch(): Promise<void> {
    const traces = this.sdk.traces as NonNullable<OtelSdk['traces']>;
    const spans = this.ready.splice(0, this.settings.maxExportBatchSize);
    const url = this.settings.traces?.url ?? '';
    this.exporting = new Promise<void>((resolve) => {
      const done = (ok: boolean, error: unknown) => {
        if (ok) {
          this.c.spansExported += spans.length;
          this.failures.succeeded();
        } else {
          this.c.spansDroppedExportFailed += spans.length;
          this.failures.failed('traces', url, error);
        }
        this.exporting = null;
        resolve();
        if (!this.closed && (this.ready.length >= this.settings.maxExportBatchSize || this.pending.length === 0)) void this.exportSoon();
      };
      try {
        traces.exporter.export(spans, (result) => done(this.sdk.isSuccess(result), result.error));
      } catch (error) {
        done(false, error);
      }
    });
    return this.exporting;
  }
}
