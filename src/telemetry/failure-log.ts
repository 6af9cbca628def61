import { withoutCredentials } from '../lib/url-credentials.js';
import type { TelemetryCounts, TelemetryLog } from './types.js';

/**
 * Logs a failing collector at most once per interval (the first failure at once), with the
 * drop counts since start, and once when exports succeed again. Everything else about a
 * failing collector is ignored: calls are served as usual.
 */
export class FailureLog {
  private lastLoggedAt: number | null = null;
  private failing = false;

  constructor(
    private readonly log: TelemetryLog,
    private readonly intervalMs: number,
    private readonly counts: () => TelemetryCounts,
    private readonly now: () => number = Date.now,
  ) {}

  failed(signal: 'traces' | 'metrics', url: string, error: unknown): void {
    this.failing = true;
    const now = this.now();
    if (this.lastLoggedAt !== null && now - this.lastLoggedAt < this.intervalMs) return;
    this.lastLoggedAt = now;
    const c = this.counts();
    this.log.warn('OpenTelemetry export failed; calls are still served and recorded, spans and metric points are dropped until the collector answers', {
      signal,
      collector: withoutCredentials(url),
      error: describe(error),
      spans_dropped_total: c.spansDroppedQueueFull + c.spansDroppedExportFailed,
      metric_points_dropped_total: c.metricPointsDropped,
      next_report_in_s: Math.round(this.intervalMs / 1000),
    });
  }

  succeeded(): void {
    if (!this.failing) return;
    this.failing = false;
    this.lastLoggedAt = null;
    this.log.info('OpenTelemetry export works again');
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return error === undefined ? 'export failed' : String(error);
}
