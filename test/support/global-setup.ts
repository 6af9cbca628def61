import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { BINARY, NODE_ENTRY, REPO_ROOT } from './spawn-cli.js';

/** Newest modification time (ms) of any file under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

function upToDate(): boolean {
  const sources = Math.max(newest(path.join(REPO_ROOT, 'src')), statSync(path.join(REPO_ROOT, 'package.json')).mtimeMs);
  return [BINARY, NODE_ENTRY].every((f) => existsSync(f) && statSync(f).mtimeMs >= sources);
}

const LOCK = path.join(REPO_ROOT, 'dist', '.build-lock');

/**
 * The end-to-end lanes drive the built artefacts (the Bun binary and the Node build).
 * Build them first when they are missing or older than the sources, so `npm test`
 * on a fresh clone tests exactly what the sources produce. Type checking is left to
 * `npm run build` / `npm run typecheck` (CI runs both); here the emit skips it so one
 * half-finished type error elsewhere does not block every test. Concurrent test runs
 * take turns through a lock directory.
 */
export default async function setup(): Promise<void> {
  if (upToDate()) return;
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (upToDate()) return;
    process.stdout.write('tokometer: building dist/ for the end-to-end tests…\n');
    const bin = path.join(REPO_ROOT, 'node_modules', '.bin');
    execFileSync(path.join(bin, 'tsc'), ['-p', 'tsconfig.build.json', '--noCheck'], { cwd: REPO_ROOT, stdio: 'inherit' });
    execFileSync('npm', ['run', 'build:bin'], { cwd: REPO_ROOT, stdio: 'inherit' });
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
