import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/**
 * The end-to-end lanes drive the built artefacts (the Bun binary and the Node build).
 * Build them first when they are missing or older than the sources, so `npm test`
 * on a fresh clone tests exactly what `npm run build` produces.
 */
export default function setup(): void {
  const sources = Math.max(newest(path.join(REPO_ROOT, 'src')), statSync(path.join(REPO_ROOT, 'package.json')).mtimeMs);
  const built = [BINARY, NODE_ENTRY].every((f) => existsSync(f) && statSync(f).mtimeMs >= sources);
  if (built) return;
  process.stdout.write('tokometer: building dist/ for the end-to-end tests (npm run build)…\n');
  execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}
