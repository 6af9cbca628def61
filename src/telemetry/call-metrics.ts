import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { firstChunkSeconds, metricAttributes, type ServerAddress } from './attributes.js';
import type { FinishedCall } from './types.js';

/** `gen_ai.client.token.usage` bucket bounds, {token} (GenAI semantic conventions). */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** Duration bucket bounds, seconds (GenAI semantic conventions). */
const SECONDS_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/**
 * The GenAI client metrics of every call, plus `tokometer.cost`. Each point carries the
 * attributes of `metricAttributes`: only the configured tag keys, never every tag.
 */
export class CallMetrics {
  private readonly tokens: Histogram;
  private readonly duration: Histogram;
  private readonly firstChunk: Histogram;
  private readonly cost: Counter;

  constructor(
    meter: Meter,
    private readonly metricTags: readonly string[],
    private readonly servers: ReadonlyMap<string, ServerAddress>,
  ) {
    this.tokens = meter.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}',
      description: 'Tokens used per call, by gen_ai.token.type (input, output).',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    this.duration = meter.createHistogram('gen_ai.client.operation.duration', {
      unit: 's',
      description: 'Whole call duration, request received to response finished.',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.firstChunk = meter.createHistogram('gen_ai.client.operation.time_to_first_chunk', {
      unit: 's',
      description: 'Time to the first chunk of a streamed response (2xx answers only).',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    });
    this.cost = meter.createCounter('tokometer.cost', { unit: 'USD', description: 'Metered cost of calls, USD (priced calls only).' });
  }

  record(call: FinishedCall): void {
    const r = call.record;
    const attributes = metricAttributes(call, this.metricTags, this.servers.get(r.provider));
    this.duration.record(r.latencyMs / 1000, attributes);
    const firstChunk = firstChunkSeconds(call);
    if (firstChunk !== null) this.firstChunk.record(firstChunk, attributes);
    if (r.usage) {
      this.tokens.record(r.usage.inputTokens, { ...attributes, 'gen_ai.token.type': 'input' });
      this.tokens.record(r.usage.outputTokens, { ...attributes, 'gen_ai.token.type': 'output' });
    }
    if (r.costNano !== null) this.cost.add(r.costNano / 1e9, attributes);
  }
}
