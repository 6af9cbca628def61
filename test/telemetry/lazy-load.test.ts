import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTelemetry } from '../../src/telemetry/index.js';
import { startHarness } from '../support/proxy-harness.js';
import { OtlpReceiver } from '../support/otlp-receiver.js';
import { memoryLog, telemetryConfig } from './helpers.js';

const SRC = path.resolve(import.meta.dirname, '../../src');
/** The SDK packages are CommonJS: once loaded they sit in the CommonJS module cache. */
const loadedSdk = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => /[\\/]@opentelemetry[\\/](sdk-trace|sdk-metrics|exporter-[^\\/]+)[\\/]/.test(f));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));
}

/** Static value imports (not `import type`) of a module specifier matching `re`, in one file's text. */
function valueImports(text: string, re: RegExp): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gms)) if (re.test(m[1] as string)) out.push(m[1] as string);
  return out;
}

describe('the OpenTelemetry SDK loads only when export is configured', () => {
  it('only telemetry/otel-sdk.ts imports SDK values, and only import() reaches it', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const rel = path.relative(SRC, file);
      const text = readFileSync(file, 'utf8');
      if (rel !== path.join('telemetry', 'otel-sdk.ts') && valueImports(text, /^@opentelemetry\//).length > 0) offenders.push(`${rel} imports the SDK`);
      if (!path.basename(file).startsWith('otel-') && valueImports(text, /\/otel-[a-z-]+\.js$/).length > 0) offenders.push(`${rel} statically imports an otel-* module`);
    }
    expect(offenders).toEqual([]);
    expect(readFileSync(path.join(SRC, 'telemetry', 'index.ts'), 'utf8')).toContain("await import('./otel-export.js')");
  });

  it('a proxy without telemetry settings serves calls without loading it; configuring export loads it', async () => {
    const h = await startHarness({ upstream: { reply: () => ({ body: '{"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}' }) } });
    const res = await fetch(`${h.baseUrl()}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${h.secret}`, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, body: '{"model":"gpt-4o-mini"}' });
    expect(res.status).toBe(200);
    await h.close();
    expect(h.records).toHaveLength(1);
    expect(loadedSdk()).toEqual([]);

    const receiver = await new OtlpReceiver().start();
    const telemetry = await startTelemetry({ options: telemetryConfig({ endpoint: receiver.url }), env: {}, log: memoryLog(), providers: [] });
    expect(loadedSdk().length).toBeGreaterThan(0);
    await telemetry?.shutdown(1000);
    await receiver.stop();
  });
});
