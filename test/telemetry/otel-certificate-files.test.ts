import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/telemetry/index.js';
import type { CallTelemetry } from '../../src/telemetry/types.js';
import { selfSigned } from '../faults/self-signed.js';
import { finishedCall, memoryLog, telemetryConfig } from './helpers.js';

/**
 * The OTLP exporter reads OTEL_EXPORTER_OTLP_CERTIFICATE (and the client certificate and key
 * variables) itself, from process.env: a collector behind a private CA works with it. A path
 * it cannot read is dropped with a diagnostic tokometer never shows, so `serve` starts with
 * "OpenTelemetry export on" and every export fails on the certificate, the warning naming
 * the collector but never the variable. Every other unusable OTEL_* value stops the start
 * with a line naming it.
 */
const FILE_VARIABLES = ['OTEL_EXPORTER_OTLP_CERTIFICATE', 'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE', 'OTEL_EXPORTER_OTLP_CLIENT_KEY', 'OTEL_EXPORTER_OTLP_METRICS_CLIENT_CERTIFICATE'];
const FAST_ENV = { OTEL_BSP_SCHEDULE_DELAY: '20', OTEL_METRIC_EXPORT_INTERVAL: '100' };

describe('OTLP certificate files named in the environment', () => {
  let dir: string;
  let collector: Server;
  let url: string;
  let received = 0;
  let telemetry: CallTelemetry | null = null;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-otlp-tls-'));
    const pem = selfSigned(dir);
    collector = createServer({ cert: readFileSync(pem.cert), key: readFileSync(pem.key) }, (req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/v1/traces') received++;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await telemetry?.shutdown(500);
    telemetry = null;
    process.env = { ...saved };
  });
  afterAll(async () => {
    collector.closeAllConnections();
    await new Promise<void>((resolve) => collector.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>) => {
    // The exporter reads these variables from process.env; serve passes process.env too.
    Object.assign(process.env, env);
    const log = memoryLog();
    telemetry = await startTelemetry({ options: telemetryConfig(), env: process.env, log, providers: [] });
    return log;
  };

  it('a readable CA file is used: spans reach the collector behind the private CA', async () => {
    await start({ ...FAST_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_CERTIFICATE: path.join(dir, 'cert.pem') });
    telemetry!.record(finishedCall());
    const deadline = Date.now() + 5000;
    while (received === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received).toBeGreaterThan(0);
  });

  it.each(FILE_VARIABLES)('%s naming a file that cannot be read stops the start, naming the variable', async (name) => {
    await expect(start({ ...FAST_ENV, OTEL_EXPORTER_OTLP_ENDPOINT: url, [name]: path.join(dir, 'no-such.pem') })).rejects.toThrow(name);
  });
});
