import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { listenLoopback, type LoopbackServer } from './loopback-server.js';

/**
 * The parts of the OTLP trace and metrics export requests the tests read, with the field
 * numbers and wire types of opentelemetry-proto (collector/{trace,metrics}/v1, trace/v1,
 * metrics/v1, common/v1, resource/v1). Field names are written in the lowerCamelCase that
 * OTLP/JSON uses, so both encodings decode to the same object shape. Enums are read as
 * int32 (the same varint on the wire). Fields left out are skipped by the decoder.
 */
const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string stringValue = 1; bool boolValue = 2; int64 intValue = 3; double doubleValue = 4; ArrayValue arrayValue = 5; KeyValueList kvlistValue = 6; bytes bytesValue = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Scope { string name = 1; string version = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resourceSpans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scopeSpans = 2; }
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message Span {
  bytes traceId = 1; bytes spanId = 2; string traceState = 3; bytes parentSpanId = 4; string name = 5; int32 kind = 6;
  fixed64 startTimeUnixNano = 7; fixed64 endTimeUnixNano = 8; repeated KeyValue attributes = 9; repeated Event events = 11;
  Status status = 15; fixed32 flags = 16;
}
message Event { fixed64 timeUnixNano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resourceMetrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scopeMetrics = 2; }
message ScopeMetrics { Scope scope = 1; repeated Metric metrics = 2; }
message Metric { string name = 1; string description = 2; string unit = 3; Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
message Gauge { repeated NumberDataPoint dataPoints = 1; }
message Sum { repeated NumberDataPoint dataPoints = 1; int32 aggregationTemporality = 2; bool isMonotonic = 3; }
message Histogram { repeated HistogramDataPoint dataPoints = 1; int32 aggregationTemporality = 2; }
message NumberDataPoint { repeated KeyValue attributes = 7; fixed64 startTimeUnixNano = 2; fixed64 timeUnixNano = 3; double asDouble = 4; sfixed64 asInt = 6; }
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 startTimeUnixNano = 2; fixed64 timeUnixNano = 3; fixed64 count = 4; double sum = 5;
  repeated fixed64 bucketCounts = 6; repeated double explicitBounds = 7;
}
`;

const root = protobuf.parse(OTLP_PROTO).root;
const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');

export type AttrValue = string | number | boolean | AttrValue[] | null;
export type Attrs = Record<string, AttrValue>;

/** One received span, the same whichever encoding carried it. Ids are lower-case hex ('' when absent). */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** SpanKind: 3 = CLIENT. */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Attrs;
  events: Array<{ name: string; timeNs: bigint; attributes: Attrs }>;
  /** StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Attrs;
  encoding: Encoding;
}

/** One received metric data point (sum or histogram). */
export interface ReceivedPoint {
  metric: string;
  unit: string;
  type: 'sum' | 'gauge' | 'histogram';
  attributes: Attrs;
  /** Sum/gauge value. */
  value?: number;
  /** Histogram count and sum. */
  count?: number;
  sum?: number;
  encoding: Encoding;
}

export type Encoding = 'protobuf' | 'json';

/** One HTTP request the receiver got. */
export interface ReceivedExport {
  path: string;
  encoding: Encoding;
  headers: IncomingHttpHeaders;
  /** The body as sent (after gunzip), for byte-level checks such as "no secret inside". */
  raw: Buffer;
}

/**
 * A real OTLP/HTTP receiver on 127.0.0.1 (port 0): accepts POST /v1/traces and
 * /v1/metrics in `application/x-protobuf` or `application/json` (optionally gzip),
 * decodes them, keeps what arrived, and answers 200 with an empty export response.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly points: ReceivedPoint[] = [];
  readonly exports: ReceivedExport[] = [];
  readonly problems: string[] = [];
  private server: LoopbackServer | null = null;
  url = '';

  async start(): Promise<this> {
    this.server = await listenLoopback((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        try {
          let body = Buffer.concat(chunks);
          if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
          const type = String(req.headers['content-type'] ?? '');
          const encoding: Encoding = type.startsWith('application/json') ? 'json' : 'protobuf';
          if (req.method !== 'POST' || (req.url !== '/v1/traces' && req.url !== '/v1/metrics') || (encoding === 'protobuf' && !type.startsWith('application/x-protobuf'))) {
            throw new Error(`unexpected ${req.method} ${req.url} (${type})`);
          }
          this.exports.push({ path: req.url, encoding, headers: req.headers, raw: body });
          if (req.url === '/v1/traces') this.spans.push(...decodeTraces(body, encoding));
          else this.points.push(...decodeMetrics(body, encoding));
          res.writeHead(200, { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-protobuf' });
          res.end(encoding === 'json' ? '{}' : '');
        } catch (error) {
          this.problems.push(String(error));
          res.writeHead(400).end();
        }
      });
    });
    this.url = this.server.url;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /** Resolves once `check` holds, polling every 25 ms; rejects with `what` after `timeoutMs`. */
  async waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (${this.spans.length} spans, ${this.points.length} points, problems: ${this.problems.join('; ') || 'none'})`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

function decode(body: Buffer, encoding: Encoding, type: protobuf.Type): Obj {
  if (encoding === 'json') return JSON.parse(body.toString('utf8')) as Obj;
  return type.toObject(type.decode(body), { longs: String, bytes: Array }) as Obj;
}

function decodeTraces(body: Buffer, encoding: Encoding): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of list(decode(body, encoding, TraceRequest).resourceSpans)) {
    const resource = attrs((rs.resource as Obj | undefined)?.attributes);
    for (const ss of list(rs.scopeSpans)) {
      for (const s of list(ss.spans)) {
        const status = (s.status ?? {}) as Obj;
        out.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          traceState: String(s.traceState ?? ''),
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startNs: BigInt(String(s.startTimeUnixNano ?? 0)),
          endNs: BigInt(String(s.endTimeUnixNano ?? 0)),
          attributes: attrs(s.attributes),
          events: list(s.events).map((e) => ({ name: String(e.name ?? ''), timeNs: BigInt(String(e.timeUnixNano ?? 0)), attributes: attrs(e.attributes) })),
          status: { code: Number(status.code ?? 0), message: String(status.message ?? '') },
          resource,
          encoding,
        });
      }
    }
  }
  return out;
}

function decodeMetrics(body: Buffer, encoding: Encoding): ReceivedPoint[] {
  const out: ReceivedPoint[] = [];
  for (const rm of list(decode(body, encoding, MetricsRequest).resourceMetrics)) {
    for (const sm of list(rm.scopeMetrics)) {
      for (const m of list(sm.metrics)) {
        const base = { metric: String(m.name), unit: String(m.unit ?? ''), encoding };
        for (const [type, data] of [['sum', m.sum], ['gauge', m.gauge]] as const) {
          for (const p of list((data as Obj | undefined)?.dataPoints)) out.push({ ...base, type, attributes: attrs(p.attributes), value: Number(p.asDouble ?? p.asInt ?? 0) });
        }
        for (const p of list((m.histogram as Obj | undefined)?.dataPoints)) {
          out.push({ ...base, type: 'histogram', attributes: attrs(p.attributes), count: Number(p.count ?? 0), sum: Number(p.sum ?? 0) });
        }
      }
    }
  }
  return out;
}

/** Ids arrive as bytes (protobuf) or hex (OTLP/JSON); both become lower-case hex. */
function hex(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.toLowerCase();
  return Buffer.from(v as number[]).toString('hex');
}

function attrs(kvs: unknown): Attrs {
  const out: Attrs = {};
  for (const kv of list(kvs)) out[String(kv.key)] = anyValue(kv.value as Obj | undefined);
  return out;
}

function anyValue(v: Obj | undefined): AttrValue {
  if (!v) return null;
  if ('stringValue' in v) return String(v.stringValue);
  if ('boolValue' in v) return Boolean(v.boolValue);
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return list((v.arrayValue as Obj | undefined)?.values).map((x) => anyValue(x));
  return null;
}
