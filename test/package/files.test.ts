/**
 * The npm tarball carries the documents that messages point to: every
 * `docs/<name>.md` named in a source string must be in `npm pack` output.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

/** docs/*.md paths named in src/ (comments included: they are read by users too). */
function docsNamedInSrc(dir = join(root, 'src'), found = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) docsNamedInSrc(path, found);
    else if (entry.name.endsWith('.ts')) {
      for (const m of readFileSync(path, 'utf8').matchAll(/docs\/[\w-]+\.md/g)) found.add(m[0]);
    }
  }
  return found;
}

describe('npm package files', () => {
  it('include the docs that messages point to', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const files = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path));
    const named = [...docsNamedInSrc()];
    expect(named).toContain('docs/prices.md');
    expect(named.filter((doc) => !files.has(doc))).toEqual([]);
  }, 60_000);
});
