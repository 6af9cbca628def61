import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALLOWED, applyAllowList, describeViolations } from './architecture/allow-list.js';
import { checkArchitecture } from './architecture/check.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('layering (docs/DESIGN.md "Dependency rules")', () => {
  it('src breaks no rule beyond the known, listed violations, and every listed one still exists', async () => {
    const { unlisted, stale } = applyAllowList(await checkArchitecture(repoRoot), ALLOWED);
    const problems: string[] = [];
    if (unlisted.length > 0) problems.push(`New violations (fix them; test/architecture/allow-list.ts is not for new ones):\n${describeViolations(unlisted)}`);
    if (stale.length > 0) problems.push(`Allow-list entries that match nothing any more (delete them):\n${stale.map((a) => `  ${a.rule} ${a.file} (${a.removedBy})`).join('\n')}`);
    expect(problems.join('\n\n'), problems.join('\n\n')).toBe('');
    // Reading every source file's imports takes ~20 s alone on a 2-core machine, more beside the suite's other files.
  }, 120_000);
});
