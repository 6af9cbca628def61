import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/program.js';
import { edgesFor } from '../../src/edges.js';

describe('serve and signals', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('handles SIGTERM before it prints its URL, so a supervisor that stops it on reading the URL gets a drain and exit 0', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-serve-signals-'));
    const before = process.listenerCount('SIGTERM');
    let out = '';
    let handledWhenPrinted: boolean | undefined;
    const ctx: CliContext = {
      edges: edgesFor('node'),
      env: {},
      cwd: dir,
      clock: () => Date.now(),
      out: (text) => {
        out += text;
        if (handledWhenPrinted !== undefined || !text.includes('listening on')) return;
        handledWhenPrinted = process.listenerCount('SIGTERM') > before;
        // What a supervisor does the moment it reads the line.
        process.emit('SIGTERM', 'SIGTERM');
      },
      err: () => {},
      isTTY: false,
    };
    expect(await runCli(['serve', '--port', '0', '--db', ':memory:'], ctx)).toBe(0);
    expect(out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(handledWhenPrinted).toBe(true);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});
