/**
 * `node bench/otel-overhead.mjs [--quick]`: only the OpenTelemetry phase of `npm run bench`
 * (binary with export off vs on to a local OTLP sink; start-up and RSS of both builds).
 * Prints the RESULTS.md section and writes bench/out/otel.json. Needs `npm run build`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { otelOverhead, renderOtel, startSink } from './lib/otel.mjs';
import { runStandalonePhase } from './lib/standalone.mjs';

runStandalonePhase({ needs: ['dist/tokometer', 'dist/js/main.js'], tmpPrefix: 'tokometer-otel-bench-', pinLoadgen: true }, async ({ root, bun, plan, tmp, upstream, running, quick, log }) => {
  const sink = await startSink({ root, cpu: plan.loadgen, bun });
  running.push(sink);
  const result = await otelOverhead({ root, tmp, upstreamUrl: upstream.url, sink, cpu: plan.sut, bun, quick, log });
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/otel.json'), JSON.stringify({ date: new Date().toISOString(), plan, ...result }, null, 2));
  console.log(renderOtel(result).join('\n'));
});
