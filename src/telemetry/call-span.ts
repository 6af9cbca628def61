import { errorType, firstChunkSeconds, spanAttributes, spanName, type ServerAddress } from './attributes.js';
import type { OtelSdk } from './otel-sdk.js';
import type { FinishedCall } from './types.js';

/** Name of the span event marking the first chunk of a 2xx streamed response (attributes.ts firstChunkSeconds). */
export const FIRST_CHUNK_EVENT = 'gen_ai.first_chunk';

/**
 * Creates and ends the CLIENT span of one finished call, after the fact: it starts when the
 * call arrived and ends when it finished (the record's times), as a child of the incoming
 * `traceparent` when there was one. The span goes to the processor's sink as it ends.
 */
export function endCallSpan(traces: NonNullable<OtelSdk['traces']>, sdk: Pick<OtelSdk, 'spanKindClient' | 'statusError'>, call: FinishedCall, server: ServerAddress | undefined): void {
  const r = call.record;
  const span = traces.tracer.startSpan(spanName(call), { kind: sdk.spanKindClient, startTime: r.ts, attributes: spanAttributes(call, server) }, traces.parent(call.trace));
  const firstChunk = firstChunkSeconds(call);
  if (firstChunk !== null) span.addEvent(FIRST_CHUNK_EVENT, { 'gen_ai.response.time_to_first_chunk': firstChunk }, r.ts + (r.ttfbMs as number));
  const error = errorType(call);
  if (error) span.setStatus({ code: sdk.statusError, message: r.error ?? error });
  span.end(r.ts + r.latencyMs);
}
