import { realpathSync } from 'node:fs';
import path from 'node:path';
import { isCompiledEntry } from '../lib/compiled-entry.js';
import type { RuntimeName } from '../runtime.js';

/**
 * How the user started tokometer, as the words to type to start it again from the same
 * folder: `./dist/tokometer` (the binary by its path), `tokometer` (found on PATH),
 * `npx tokometer` (the npm package through npx) or `node dist/js/main.js`. The CLI
 * derives it once at start (run.ts) and prints it in the commands it suggests.
 */
export interface InvocationFacts {
  /** process.argv: [runtime or binary, entry script, ...arguments]. */
  argv: readonly string[];
  /** process.argv0: the program name exactly as the caller gave it (Bun binary: as typed). */
  argv0: string;
  /** process.execPath: the real path of the running executable. */
  execPath: string;
  runtime: RuntimeName;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Real path of a file, or null when there is none (injected by tests). */
  realPath?: (file: string) => string | null;
}

/** What a command is called when nothing better is known. */
export const DEFAULT_INVOCATION = 'tokometer';

/** The words that start this tokometer again (shell-quoted where needed). */
export function invokedAs(f: InvocationFacts): string {
  const real = f.realPath ?? realPathOrNull;
  const entry = f.argv[1] ?? '';
  if (isCompiledEntry(entry)) return programWord(f.argv0, f.execPath, f, real);
  if (entry === '') return DEFAULT_INVOCATION;
  // A package's bin link in node_modules/.bin: how npx runs it, and npx finds it again from here.
  if (/(^|[\\/])node_modules[\\/]\.bin[\\/][^\\/]+$/.test(entry)) return `npx ${shellWord(path.basename(entry))}`;
  // Any other bin link (a global install) runs by itself through its shebang: its name when on PATH.
  if (!/\.[cm]?[jt]sx?$/.test(entry)) return programWord(path.basename(entry), entry, f, real);
  return `${f.runtime} ${shellWord(shownPath(f.cwd, entry, false))}`;
}

/**
 * `typed` when it starts `file` again from `cwd` (a bare name found on PATH, or a path),
 * else `file`'s own path.
 */
function programWord(typed: string, file: string, f: InvocationFacts, real: (file: string) => string | null): string {
  const target = real(file) ?? file;
  if (typed !== '') {
    const found = typed.includes('/') || typed.includes(path.sep) ? real(path.resolve(f.cwd, typed)) : onPath(typed, f, real);
    if (found === target) return shellWord(typed);
  }
  return shellWord(shownPath(f.cwd, file, true));
}

/** Real path of the first `name` on PATH, or null. */
function onPath(name: string, f: InvocationFacts, real: (file: string) => string | null): string | null {
  for (const dir of (f.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const found = real(path.join(dir, name));
    if (found !== null) return found;
  }
  return null;
}

function realPathOrNull(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    return null;
  }
}

/**
 * A file as the user would type it: relative inside `cwd` (with a leading `./` for a
 * program, so the shell does not look it up on PATH), else absolute.
 */
export function shownPath(cwd: string, file: string, program: boolean): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return absolute;
  return program ? `.${path.sep}${relative}` : relative;
}

/** `text` as one shell word: unchanged when safe, else in single quotes. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
