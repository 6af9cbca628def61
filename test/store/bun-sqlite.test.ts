import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { contractCases } from './contract.js';
import type { CaseResult } from './run-contract.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bun = join(root, 'node_modules', '.bin', 'bun');

let results: CaseResult[] = [];
let runFailure = '';

beforeAll(() => {
  const child = spawnSync(bun, ['run', 'test/store/bun-contract-runner.ts'], { cwd: root, encoding: 'utf8', timeout: 55_000 });
  runFailure = `bun exited with ${child.status ?? child.signal ?? String(child.error)}\nstdout:\n${child.stdout}\nstderr:\n${child.stderr}`;
  const line = child.stdout?.trim().split('\n').at(-1) ?? '';
  try {
    results = (JSON.parse(line) as { results: CaseResult[] }).results;
  } catch {
    results = [];
  }
});

describe('store contract on bun:sqlite (bun run)', () => {
  it('runs every contract case', () => {
    expect(results.map((r) => r.name), runFailure).toEqual(contractCases.map((c) => c.name));
  });

  for (const c of contractCases) {
    it(c.name, () => {
      const r = results.find((x) => x.name === c.name);
      if (r === undefined) throw new Error(`case did not run under bun\n${runFailure}`);
      if (!r.ok) throw new Error(r.error);
    });
  }
});
