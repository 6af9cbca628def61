import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyAllowList, describeViolations } from './allow-list.js';
import { checkArchitecture, type Violation } from './check.js';

/** A small tree with one planted violation per rule, and look-alikes that must not count. */
const FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }),
  // no-cycle
  'src/lib/a.ts': "import { b } from './b.js';\nexport const a = (): number => b + 1;\n",
  'src/lib/b.ts': "import type { a } from './a.js';\nexport const b = 1;\nexport type A = typeof a;\n",
  // runtime-detection, three ways; a comment and a string that only mention it, and a type.
  'src/lib/sniff.ts': [
    '// globalThis.Bun is not asked here: typeof Bun',
    "export const label = 'process.versions.bun';",
    'export type HasBun = { Bun?: unknown };',
    'export const onBun = typeof Bun !== "undefined";',
    'export const viaGlobal = (globalThis as { Bun?: unknown }).Bun !== undefined;',
    'export const viaVersions = process.versions.bun !== undefined;',
    '',
  ].join('\n'),
  'src/lib/sqlite.ts': "import { Database } from 'bun:sqlite';\nexport const open = (f: string) => new Database(f);\n",
  'src/server/bun.ts': "export const here = typeof Bun !== 'undefined' && (globalThis as { Bun?: unknown }).Bun !== undefined;\n",
  // runtime-choice: a value import of runtime.ts outside the entry; type imports and the entry are fine.
  'src/runtime.ts': "export type RuntimeName = 'bun' | 'node';\nexport const detectRuntime = (): RuntimeName => 'node';\n",
  'src/edges.ts': "import type { RuntimeName } from './runtime.js';\nimport { openDriver } from './store/drivers/driver.js';\nexport const edgesFor = (r: RuntimeName) => ({ r, openDriver });\n",
  'src/cli/run.ts': "import { edgesFor } from '../edges.js';\nimport { detectRuntime } from '../runtime.js';\nexport const edges = edgesFor(detectRuntime());\n",
  'src/store/worker.ts': "import { detectRuntime } from '../runtime.js';\nimport type { RuntimeName } from '../runtime.js';\nexport const r: RuntimeName = detectRuntime();\n",
  // below-proxy
  'src/pricing/uses-proxy.ts': "import { handle } from '../proxy/handler.js';\nexport const h = handle;\n",
  'src/proxy/handler.ts': "export const handle = (): number => 1;\n",
  // loader-boundary: config and zod outside config, cli, demo (zod also in admin).
  'src/config/schema.ts': "import { z } from 'zod';\nexport const schema = z.object({});\nexport type Config = { port: number };\n",
  'src/cli/serve.ts': "import type { Config } from '../config/schema.js';\nexport const port = (c: Config) => c.port;\n",
  'src/admin/body.ts': "import { z } from 'zod';\nexport const body = z.object({});\n",
  'src/budget/reads-config.ts': "import type { Config } from '../config/schema.js';\nexport const port = (c: Config) => c.port;\n",
  'src/providers/validates.ts': "import { z } from 'zod';\nexport const v = z.string();\n",
  // store-internals
  'src/store/drivers/driver.ts': "export const openDriver = (f: string) => f;\n",
  'src/store/db.ts': "import { openDriver } from './drivers/driver.js';\nexport const db = openDriver('x');\n",
  'src/tui/raw.ts': "import { db } from '../store/db.js';\nexport const d = db;\n",
  // store-internals: a driver named (a type import too) or opened outside the store; handing the edges' getter to the store's opener is fine.
  'src/store/types.ts': 'export interface SqlDriver { close(): void }\nexport type OpenDriver = (file: string) => SqlDriver;\n',
  'src/store/sqlite-store.ts': "import type { SqlDriver } from './types.js';\nexport const createStore = (d: SqlDriver) => ({ d });\n",
  'src/store/open.ts': "import type { OpenDriver } from './types.js';\nexport const openStoreAt = async (file: string, get: () => Promise<OpenDriver>) => (await get())(file);\n",
  'src/cli/report.ts': [
    "import type { SqlDriver } from '../store/types.js';",
    "// a SqlDriver in a comment, and openDriver() in a string: 'openDriver()'",
    'export const keep = (d: SqlDriver) => d;',
    '',
  ].join('\n'),
  'src/cli/keys.ts': [
    "import { openStoreAt } from '../store/open.js';",
    'export const viaStore = (edges: { openDriver: () => Promise<never> }) => openStoreAt("x.db", edges.openDriver);',
    'export const raw = async (edges: { openDriver: () => Promise<(f: string) => unknown> }) => (await edges.openDriver())("x.db");',
    '',
  ].join('\n'),
  'src/tui/opens.ts': "import { createStore } from '../store/sqlite-store.js';\nexport const s = createStore({ close() {} });\n",
  'src/proxy/start.ts': "import { createStore } from '../store/sqlite-store.js';\nimport type { SqlDriver } from '../store/types.js';\nexport const start = (d: SqlDriver) => createStore(d);\n",
  'src/main.ts': "import { edges } from './cli/run.js';\nexport const opened = edges.openDriver();\n",
  // serve-process: what serve's own entry reaches at load time; a dynamic import, a type import and the CLI's own imports are fine.
  'src/cli/serve-entry.ts': [
    "import { edgesFor } from '../edges.js';",
    "import { detectRuntime } from '../runtime.js';",
    "import { run } from './serve-run.js';",
    "import type { Config } from '../config/schema.js';",
    'export const go = (c: Config) => run(edgesFor(detectRuntime()), c);',
    "export const cli = () => import('./program.js');",
    '',
  ].join('\n'),
  'src/cli/serve-run.ts': "import { Command } from 'commander';\nimport { schema } from '../config/schema.js';\nexport const run = (...a: unknown[]) => [a, new Command(), schema];\n",
  'src/cli/program.ts': "import { Command } from 'commander';\nimport { schema } from '../config/schema.js';\nexport const p = [new Command(), schema];\n",
};

const root = mkdtempSync(path.join(tmpdir(), 'tokometer-arch-'));
for (const [file, text] of Object.entries(FILES)) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), text);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the architecture checker', () => {
  it('finds each planted violation, and nothing in the look-alikes', async () => {
    const found = await checkArchitecture(root);
    const brief = (v: Violation) => `${v.rule} ${v.file}: ${v.detail}`;
    expect(found.map(brief)).toEqual([
      'below-proxy src/pricing/uses-proxy.ts: imports src/proxy/handler.ts',
      'loader-boundary src/budget/reads-config.ts: imports src/config/schema.ts',
      'loader-boundary src/providers/validates.ts: imports zod',
      'no-cycle src/lib/a.ts: src/lib/a.ts → src/lib/b.ts → src/lib/a.ts',
      'no-cycle src/lib/b.ts: src/lib/b.ts → src/lib/a.ts → src/lib/b.ts',
      'runtime-choice src/store/worker.ts: imports src/runtime.ts',
      'runtime-detection src/lib/sniff.ts: line 4: typeof Bun',
      'runtime-detection src/lib/sniff.ts: line 5: (globalThis as { Bun?: unknown }).Bun',
      'runtime-detection src/lib/sniff.ts: line 6: process.versions.bun',
      'runtime-detection src/lib/sqlite.ts: imports bun:sqlite',
      'serve-process src/cli/serve-run.ts: imports commander',
      'serve-process src/cli/serve-run.ts: imports src/config/schema.ts',
      'store-internals src/cli/keys.ts: line 3: edges.openDriver()',
      'store-internals src/cli/report.ts: line 1: SqlDriver',
      'store-internals src/cli/report.ts: line 3: SqlDriver',
      'store-internals src/tui/opens.ts: imports src/store/sqlite-store.ts',
      'store-internals src/tui/raw.ts: imports src/store/db.ts',
    ]);
  });

  it('tolerates only listed violations, reports stale entries, and describes the rest readably', async () => {
    const found = await checkArchitecture(root);
    const { unlisted, stale } = applyAllowList(found, [
      { rule: 'no-cycle', file: 'src/lib/a.ts', removedBy: 'test' },
      { rule: 'no-cycle', file: 'src/lib/b.ts', removedBy: 'test' },
      { rule: 'below-proxy', file: 'src/lib/a.ts', removedBy: 'test' },
    ]);
    expect(unlisted.some((v) => v.rule === 'no-cycle')).toBe(false);
    expect(unlisted).toHaveLength(found.length - 2);
    expect(stale).toEqual([{ rule: 'below-proxy', file: 'src/lib/a.ts', removedBy: 'test' }]);
    const text = describeViolations(unlisted);
    expect(text).toContain('below-proxy: providers, pricing, budget, store, domain and lib never import from src/proxy\n  src/pricing/uses-proxy.ts: imports src/proxy/handler.ts');
  });
});
