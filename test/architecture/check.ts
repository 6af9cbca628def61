import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cruise, type ICruiseResult, type IDependency } from 'dependency-cruiser';
import ts from 'typescript';

/**
 * The layering rules of docs/DESIGN.md, checked over a source tree. The import graph comes
 * from dependency-cruiser (type-only imports included: a type from the wrong layer is a
 * leak too); runtime detection is found in each file's syntax tree by the TypeScript
 * parser, so comments and strings never count.
 */

/** One broken rule: which rule, in which file, and what exactly. */
export interface Violation {
  rule: RuleName;
  /** Path relative to the checked root, with `/`, e.g. `src/store/writer-thread.ts`. */
  file: string;
  /** What breaks the rule: the imported module, the cycle, or the expression. */
  detail: string;
}

export type RuleName = 'no-cycle' | 'runtime-detection' | 'runtime-choice' | 'below-proxy' | 'loader-boundary' | 'store-internals' | 'serve-process';

/** What each rule says, for the failure message. */
export const RULES: Readonly<Record<RuleName, string>> = {
  'no-cycle': 'no import cycle anywhere in src (type-only imports count)',
  'runtime-detection': 'only src/runtime.ts, src/edges.ts, src/server/* and src/store/drivers/* look at Bun (globalThis.Bun, process.versions.bun, typeof Bun, bun:* modules)',
  'runtime-choice':
    "the runtime is chosen once, by the entry (src/main.ts, src/cli/run.ts, serve's own process src/cli/serve-entry.ts, and the writer thread entry src/store/writer-entry.ts): nothing else calls src/runtime.ts or src/edges.ts (type imports are fine)",
  'below-proxy': 'providers, pricing, budget, store, domain and lib never import from src/proxy',
  'loader-boundary': 'config shapes stop at the loader: src/config/* only from src/config, src/cli and src/demo (commands); zod only there, in src/admin (HTTP body validation) and in src/schemas (input shapes both share)',
  'store-internals':
    'the SQL connection stays in the store: only src/store, the runtime edges (src/edges.ts, src/server/*), the entry (src/main.ts, src/cli/run.ts) and the proxy openers ' +
    'src/proxy/start.ts and src/proxy/record-writer.ts import src/store/drivers/*, db.ts, sqlite-store.ts or call-writer.ts (type imports too), name SqlDriver, OpenDriver, openDriverToRead or ' +
    'openDriverToWrite, or call openDriver(); everything else takes a Store, and opening code hands the edges\' openDriver getter to the store\'s opener uncalled',
  'serve-process':
    "serve's own process (src/cli/serve-entry.ts, cli/serve-handoff.ts) loads the proxy without the CLI: what it imports at load time (dynamic and type-only imports aside) " +
    'reaches no src/config/*, src/cli/program.ts, src/cli/context.ts, commander, zod or yaml',
};

const RUNTIME_PLACES = [/^src\/runtime\.ts$/, /^src\/edges\.ts$/, /^src\/server\//, /^src\/store\/drivers\//];
const SERVE_ENTRY = 'src/cli/serve-entry.ts';
const ENTRY = [/^src\/main\.ts$/, /^src\/cli\/run\.ts$/, /^src\/cli\/serve-entry\.ts$/, /^src\/store\/writer-entry\.ts$/];
/** What serve's own process must not load (the CLI's parser, context and config loader). */
const NOT_IN_SERVE_PROCESS = [/^src\/config\//, /^src\/cli\/program\.ts$/, /^src\/cli\/context\.ts$/, /^(commander|zod|yaml)(\/|$)/];
const BELOW_PROXY = /^src\/(providers|pricing|budget|store|domain|lib)\//;
const CONFIG_READERS = [/^src\/config\//, /^src\/cli\//, /^src\/demo\//];
const ZOD_USERS = [...CONFIG_READERS, /^src\/admin\//, /^src\/schemas\//];
/** The modules that take or build a SQL connection. */
const STORE_INTERNALS = /^src\/store\/(drivers\/|db\.ts$|sqlite-store\.ts$|call-writer\.ts$)/;
/** Where a SQL connection may be held: the store, the edges that choose its driver, the entry, and startProxy, which builds the proxy's store and (record-writer.ts) its record writer on what serve opened. */
const DRIVER_PLACES = [/^src\/store\//, /^src\/edges\.ts$/, /^src\/server\//, ...ENTRY, /^src\/proxy\/start\.ts$/, /^src\/proxy\/record-writer\.ts$/];
/** Names that are, or hand out, a SQL connection (store/types.ts, store/open.ts). */
const DRIVER_NAMES = new Set(['SqlDriver', 'OpenDriver', 'openDriverToRead', 'openDriverToWrite']);

const matches = (file: string, patterns: readonly RegExp[]): boolean => patterns.some((p) => p.test(file));
const isTypeOnly = (d: IDependency): boolean => d.dependencyTypes.includes('type-only');
const isZod = (d: IDependency): boolean => d.module === 'zod' || d.module.startsWith('zod/');

/** Every violation in `<root>/src`, sorted by rule, file and detail. `root` must hold a tsconfig.json. */
export async function checkArchitecture(root: string): Promise<Violation[]> {
  const graph = await importGraph(root);
  const violations = [...importViolations(graph), ...syntaxViolations(root, graph), ...serveProcessViolations(graph)];
  const key = (v: Violation) => `${v.rule}\u0000${v.file}\u0000${v.detail}`;
  return violations.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function importGraph(root: string): Promise<ICruiseResult> {
  const result = await cruise(['src'], {
    baseDir: root,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: path.join(root, 'tsconfig.json') },
  });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text instead of a result');
  return result.output;
}

function importViolations(graph: ICruiseResult): Violation[] {
  const out: Violation[] = [];
  for (const m of graph.modules) {
    const file = m.source;
    if (!file.startsWith('src/')) continue;
    for (const d of m.dependencies) {
      const to = d.resolved;
      if (d.circular && to.startsWith('src/')) {
        out.push({ rule: 'no-cycle', file, detail: [file, ...(d.cycle ?? []).map((c) => c.name)].join(' → ') });
      }
      if (to.startsWith('bun:') && !matches(file, RUNTIME_PLACES)) out.push({ rule: 'runtime-detection', file, detail: `imports ${to}` });
      if ((to === 'src/runtime.ts' || to === 'src/edges.ts') && !isTypeOnly(d) && !matches(file, [...ENTRY, ...RUNTIME_PLACES])) {
        out.push({ rule: 'runtime-choice', file, detail: `imports ${to}` });
      }
      if (BELOW_PROXY.test(file) && to.startsWith('src/proxy/')) out.push({ rule: 'below-proxy', file, detail: `imports ${to}` });
      if (to.startsWith('src/config/') && !matches(file, CONFIG_READERS)) out.push({ rule: 'loader-boundary', file, detail: `imports ${to}` });
      if (isZod(d) && !matches(file, ZOD_USERS)) out.push({ rule: 'loader-boundary', file, detail: 'imports zod' });
      if (STORE_INTERNALS.test(to) && !matches(file, DRIVER_PLACES)) out.push({ rule: 'store-internals', file, detail: `imports ${to}` });
    }
  }
  return out;
}

/**
 * The imports that bring a module of NOT_IN_SERVE_PROCESS into serve's own process: every
 * static value import reached from SERVE_ENTRY (a dynamic import loads only when its code
 * runs, a type import never).
 */
function serveProcessViolations(graph: ICruiseResult): Violation[] {
  const bySource = new Map(graph.modules.map((m) => [m.source, m]));
  const out: Violation[] = [];
  const reached = new Set([SERVE_ENTRY]);
  const queue = bySource.has(SERVE_ENTRY) ? [SERVE_ENTRY] : [];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const d of bySource.get(file)?.dependencies ?? []) {
      if (d.dynamic || isTypeOnly(d)) continue;
      const name = d.resolved.startsWith('src/') ? d.resolved : d.module;
      if (matches(name, NOT_IN_SERVE_PROCESS)) out.push({ rule: 'serve-process', file, detail: `imports ${name}` });
      else if (d.resolved.startsWith('src/') && !reached.has(d.resolved)) {
        reached.add(d.resolved);
        queue.push(d.resolved);
      }
    }
  }
  return out;
}

/** What each file's syntax tree shows: runtime detection and SQL connections, outside the places allowed each. */
function syntaxViolations(root: string, graph: ICruiseResult): Violation[] {
  const out: Violation[] = [];
  for (const m of graph.modules) {
    const file = m.source;
    if (!file.startsWith('src/') || !/\.tsx?$/.test(file) || file.endsWith('.d.ts')) continue;
    const lookForBun = !matches(file, RUNTIME_PLACES);
    const lookForDriver = !matches(file, DRIVER_PLACES);
    if (!lookForBun && !lookForDriver) continue;
    const text = readFileSync(path.join(root, file), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const found = (rule: RuleName, node: ts.Node, what: string) => out.push({ rule, file, detail: `line ${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}: ${what}` });
    if (lookForBun) runtimeDetection(source, (node, what) => found('runtime-detection', node, what));
    if (lookForDriver) driverUse(source, (node, what) => found('store-internals', node, what));
  }
  // One violation per line and text.
  return out.filter((v, i) => out.findIndex((w) => w.rule === v.rule && w.file === v.file && w.detail === v.detail) === i);
}

/** `globalThis.Bun`, `(globalThis as …).Bun`, `process.versions.bun`, `typeof Bun` and any other use of the `Bun` global (types do not count). */
function runtimeDetection(source: ts.SourceFile, report: (node: ts.Node, what: string) => void): void {
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node)) return;
    const found = bunUse(node);
    if (found !== null) return report(node, found);
    ts.forEachChild(node, visit);
  };
  visit(source);
}

/** A driver name (in types too) or a call of `openDriver()`: code that holds a SQL connection. */
function driverUse(source: ts.SourceFile, report: (node: ts.Node, what: string) => void): void {
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && DRIVER_NAMES.has(node.text)) report(node, node.text);
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : null;
      if (name === 'openDriver') report(node, `${callee.getText(source)}()`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}

/** The text of a runtime look at Bun in `node`, or null. */
function bunUse(node: ts.Node): string | null {
  if (ts.isPropertyAccessExpression(node)) {
    if (node.name.text === 'Bun') return node.getText();
    if (node.name.text === 'bun' && /^process\s*\.\s*versions$/.test(node.expression.getText())) return node.getText();
  }
  if (ts.isElementAccessExpression(node) && ts.isStringLiteral(node.argumentExpression) && node.argumentExpression.text === 'Bun') return node.getText();
  if (ts.isIdentifier(node) && node.text === 'Bun') {
    const parent = node.parent;
    // `Bun` as a property name or declared name is not a use of the global.
    if (ts.isPropertyAccessExpression(parent) && parent.name === node) return null;
    if ((ts.isPropertySignature(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node) return null;
    return ts.isTypeOfExpression(parent) ? parent.getText() : 'Bun';
  }
  return null;
}
