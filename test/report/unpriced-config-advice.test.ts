import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { record } from './dataset.js';
import { cliIn } from './report-cli.js';

/**
 * Calls recorded unpriced for a model the config prices now (llama-x: the entry was added
 * after them, or serve was not restarted) need serve restarted and a reprice, not "add a
 * price": report's footer and `prices unpriced` both say so. A model one edit from a config
 * entry (my-finetune beside the entry my-finetun) gets a did-you-mean.
 */

let dir: string;
let dbPath: string;
let configPath: string;
const AT = '2026-11-10T12:00:00Z';
const LOCAL = { at: AT, provider: 'local-llm', cost: null, input: 100, output: 50 };

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-unpriced-config-'));
  dbPath = path.join(dir, 'calls.db');
  configPath = path.join(dir, 'tokometer.yaml');
  writeFileSync(
    configPath,
    [
      'providers:',
      '  local-llm: { kind: openai-compatible, base_url: "http://127.0.0.1:9/v1" }',
      'prices:',
      '  llama-x: { provider: local-llm, input: 0.2, output: 0.4 }',
      '  my-finetun: { provider: local-llm, input: 0.3, output: 1.2 }',
      '',
    ].join('\n'),
  );
  const store = createStore(openDriver(dbPath));
  store.insertCalls([record({ ...LOCAL, model: 'llama-x' }), record({ ...LOCAL, model: 'llama-x' }), record({ ...LOCAL, model: 'my-finetune' })]);
  void store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REPRICE = "llama-x (local-llm) is priced by the config now: restart serve (it reads 'prices:' when it starts), then price the calls already recorded with tokometer prices reprice --since TIME --model llama-x";
const NEAR = "my-finetune (local-llm): did you mean the config's entry my-finetun?";

describe('unpriced advice for models the config prices', () => {
  it("report's footer gives the next steps for llama-x and the plain advice for my-finetune only", async () => {
    const r = await cliIn(dir, ['report', '--by', 'model', '--since', '2026-11-01', '--until', '2026-11-30', '--db', dbPath, '--config', configPath]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('3 unpriced calls not included in spend: llama-x on local-llm (2), my-finetune on local-llm (1).');
    expect(r.out).toContain('Add a price for my-finetune under `prices:` in the config.');
    expect(r.out).toContain(REPRICE);
    expect(r.out).toContain(NEAR);
  });

  it('prices unpriced says the same', async () => {
    const r = await cliIn(dir, ['prices', 'unpriced', '--db', dbPath, '--config', configPath]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Add prices for my-finetune under 'prices:' in the config.");
    expect(r.out).toContain(REPRICE);
    expect(r.out).toContain(NEAR);
  });
});
