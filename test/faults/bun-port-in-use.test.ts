import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServe, stopProcess } from '../support/spawn-cli.js';

/**
 * A second `tokometer serve` on the port a first one listens on must fail to start, as the
 * README says ("fails to start (port in use…)"), on both builds. On the Bun binary it
 * started anyway: Bun.serve outside development mode sets SO_REUSEPORT unless told not to,
 * so the kernel shared the port between the two processes, each counting budgets on its own
 * (a new-user trial's key spent 150 % of its cap) and, with two --db files, recording the
 * calls in two databases.
 */

const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-port-in-use-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['binary', 'node'] as const)('a second serve on a port in use (%s)', (build) => {
  it('exits 1 naming the port, and the first keeps the port', async () => {
    const first = await startServe(build, ['--db', `first-${build}.db`, '--port', '0'], { cwd: dir });
    try {
      const port = new URL(first.url).port;
      const second = await startServe(build, ['--db', `second-${build}.db`, '--port', port], { cwd: dir }).then(
        async (started) => {
          await stopProcess(started.child);
          return `it started and listened on ${started.url}`;
        },
        (error: Error) => error.message,
      );
      expect(second).toMatch(/^serve exited early with 1\n/);
      expect(second).toContain(`--port ${port} (on listen.host "127.0.0.1"): the address is already in use`);
    } finally {
      await stopProcess(first.child);
    }
  });
});
