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

  it('handles SIGTERM before it prints its URL, so a supervisor that stops it on reading the URL gets a drain and exit 0, and removes its handlers', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-serve-signals-'));
    const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
    const counts = () => signals.map((signal) => process.listenerCount(signal));
    const before = counts();
    let out = '';
    let err = '';
    let handledWhenPrinted: boolean | undefined;
    const ctx: CliContext = {
      edges: edgesFor('node'),
      env: {},
      cwd: dir,
      clock: () => Date.now(),
      out: (text) => {
        out += text;
        if (handledWhenPrinted !== undefined || !text.includes('listening on')) return;
        handledWhenPrinted = process.listenerCount('SIGTERM') > (before[0] as number);
        // What a supervisor does the moment it reads the line.
        process.emit('SIGTERM', 'SIGTERM');
        // Without a handler yet that SIGTERM was lost: stop serve once it has one, so the test
        // fails on handledWhenPrinted instead of waiting for its timeout.
        if (!handledWhenPrinted) setTimeout(() => process.emit('SIGTERM', 'SIGTERM'), 50);
      },
      err: (text) => void (err += text),
      isTTY: false,
    };
    expect(await runCli(['serve', '--port', '0', '--db', ':memory:'], ctx)).toBe(0);
    expect(out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(handledWhenPrinted).toBe(true);
    // Every handler serve added is gone once it stopped (a second signal then ends a process at once).
    expect(counts()).toEqual(before);
    // The last line says the drain ended with every record written, so an operator can tell a clean stop from a kill.
    const last = JSON.parse(err.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(last).toMatchObject({ level: 'info', msg: 'stopped: every call record written', signal: 'SIGTERM' });
  });
});
