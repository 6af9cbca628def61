import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { servePlan } from '../../src/cli/serve.js';
import { SERVE_PLAN_ENV, discardServePlan, takeServePlan, writeServePlan } from '../../src/cli/serve-handoff.js';
import type { ServePlan } from '../../src/cli/serve-run.js';
import { selfSigned } from '../faults/self-signed.js';

/** serve on Bun hands its plan to a process of its own through a file (cli/serve-handoff.ts). */

const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-handoff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// serve reads the TLS files before it plans (cli/config-tls.ts): the plan's tls names real ones.
selfSigned(dir);

/** The shipped example config with every secret and option set, plus TLS and telemetry. */
function richPlan() {
  const example = readFileSync(new URL('../../config.example.yaml', import.meta.url), 'utf8');
  const extra = [
    'tls:',
    `  cert: ${path.join(dir, 'cert.pem')}`,
    `  key: ${path.join(dir, 'key.pem')}`,
    'telemetry:',
    '  endpoint: http://127.0.0.1:4318',
    '  metric_tags: [feature, tenant_id]',
    '',
  ].join('\n');
  const config = path.join(dir, 'tokometer.yaml');
  writeFileSync(config, example.replace(/^telemetry:[\s\S]*$/m, '') + extra);
  const env = { OPENAI_API_KEY: 'sk-openai-secret', ANTHROPIC_API_KEY: 'sk-ant-secret', AZURE_KEY: 'az-secret', TOKOMETER_ADMIN_TOKEN: 'admin-secret', ACME_METERING_KEY: `mk_${'a'.repeat(32)}` };
  return servePlan({ env, cwd: dir, invokedAs: './dist/tokometer' }, { config, port: '0', host: '0.0.0.0', spill: 'records.spill' });
}

describe('the serve plan', () => {
  it('holds plain values only: a JSON round trip gives the same plan, secrets and all', () => {
    const plan = richPlan();
    expect(plan.settings.providers.openai?.apiKey).toBe('sk-openai-secret');
    expect(plan.settings.adminToken).toBe('admin-secret');
    expect(plan.settings.tagBudgets.length).toBeGreaterThan(0);
    expect(Object.keys(plan.settings.keys)).toEqual(['summarizer', 'acme-corp']);
    expect(plan.configPrices['my-finetune']).toBeDefined();
    expect(plan.settings.tls).toEqual({ cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') });
    expect(plan.settings.telemetry).toMatchObject({ endpoint: 'http://127.0.0.1:4318', metricTags: ['feature', 'tenant_id'] });
    expect(plan.priceUpdates).toEqual({ pollIntervalMs: 30_000, autoUpdateMs: null, origin: expect.stringMatching(/^https:\/\//) });
    expect(plan).toMatchObject({ host: '0.0.0.0', port: 0, spillPath: path.join(dir, 'records.spill'), cwd: dir, invokedAs: './dist/tokometer' });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('is written to a private file that reading removes, folder and all', () => {
    const plan = richPlan();
    const file = writeServePlan(plan, dir);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(takeServePlan(file)).toEqual(plan);
    expect(existsSync(path.dirname(file))).toBe(false);
  });

  it('leaves nothing behind when the plan cannot be written, and throws what the file system said', () => {
    const own = mkdtempSync(path.join(dir, 'empty-'));
    expect(() => writeServePlan({ port: 1n } as unknown as ServePlan, own)).toThrow(/BigInt/);
    expect(readdirSync(own)).toEqual([]);
    expect(() => writeServePlan(richPlan(), '/proc')).toThrow(/EACCES|EPERM|ENOENT|EROFS/);
  });

  it('says what is wrong with a missing or foreign file, and never removes what it did not write', () => {
    const missing = path.join(dir, 'tokometer-serve-gone', 'plan.json');
    expect(() => takeServePlan(missing)).toThrow(`${SERVE_PLAN_ENV} names ${missing}, which cannot be read`);
    const foreign = path.join(dir, 'notes', 'plan.json');
    mkdirSync(path.dirname(foreign));
    writeFileSync(foreign, '{"format":"something else"}');
    expect(() => takeServePlan(foreign)).toThrow(`${foreign} is not a serve plan of this tokometer`);
    const notJson = path.join(dir, 'notes', 'passwd');
    writeFileSync(notJson, 'root:x:0:0');
    expect(() => takeServePlan(notJson)).toThrow(`${notJson} is not a serve plan of this tokometer`);
    expect(existsSync(notJson)).toBe(true);
    discardServePlan(foreign);
    expect(readFileSync(foreign, 'utf8')).toBe('{"format":"something else"}');
    // A plan file with something else beside it: the file goes, the folder and the rest stay.
    const file = writeServePlan(richPlan(), dir);
    writeFileSync(path.join(path.dirname(file), 'other'), 'x');
    discardServePlan(file);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(path.join(path.dirname(file), 'other'))).toBe(true);
  });
});
