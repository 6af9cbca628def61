import { describe, expect, it } from 'vitest';
import { SERVE_ALLOCATOR_ENV, relaunchServe, serveRelaunch, type ProcessFacts } from '../../src/server/bun-serve-relaunch.js';

const VAR = 'MIMALLOC_PURGE_HOLES_MIN_INTERVAL';

/** A compiled binary started as `./tokometer serve --port 0`. */
const compiled: ProcessFacts = {
  env: { PATH: '/usr/bin', HOME: '/root', UNSET: undefined },
  argv: ['bun', '/$bunfs/root/tokometer', 'serve', '--port', '0'],
  argv0: './tokometer',
  execPath: '/opt/tokometer/tokometer',
  execArgv: [],
};

describe('serveRelaunch', () => {
  it('starts a compiled binary again with its own arguments, its environment and the allocator settings', () => {
    expect(SERVE_ALLOCATOR_ENV[VAR]).toBe('2000');
    expect(serveRelaunch(compiled)).toEqual({
      file: '/opt/tokometer/tokometer',
      args: ['./tokometer', 'serve', '--port', '0'],
      env: { PATH: '/usr/bin', HOME: '/root', [VAR]: '2000' },
    });
  });

  it('keeps the runtime flags and the script of `bun script.js serve`', () => {
    const script: ProcessFacts = { ...compiled, argv: ['/usr/local/bin/bun', '/srv/tokometer/dist/js/main.js', 'serve'], argv0: 'bun', execPath: '/usr/local/bin/bun', execArgv: ['--smol'] };
    expect(serveRelaunch(script)?.args).toEqual(['bun', '--smol', '/srv/tokometer/dist/js/main.js', 'serve']);
  });

  it('passes the flags Bun took from BUN_OPTIONS only through the environment, so they apply once', () => {
    const script: ProcessFacts = { ...compiled, argv: ['bun', '/srv/main.js', 'serve'], argv0: 'bun', execPath: '/usr/local/bin/bun' };
    const withOptions = (bunOptions: string, execArgv: string[]) => serveRelaunch({ ...script, env: { BUN_OPTIONS: bunOptions }, execArgv });
    expect(withOptions(' --smol  --preload /srv/p.js ', ['--smol', '--preload', '/srv/p.js', '--expose-gc'])).toMatchObject({
      args: ['bun', '--expose-gc', '/srv/main.js', 'serve'],
      env: { BUN_OPTIONS: ' --smol  --preload /srv/p.js ' },
    });
    // Leading flags that are not BUN_OPTIONS split at whitespace (a quoted path): kept whole.
    expect(withOptions('--preload "/srv/a b.js"', ['--preload', '/srv/a b.js'])?.args).toEqual(['bun', '--preload', '/srv/a b.js', '/srv/main.js', 'serve']);
    expect(withOptions('', ['--smol'])?.args).toEqual(['bun', '--smol', '/srv/main.js', 'serve']);
  });

  it("never replaces an operator's value, even an empty one, and so runs once", () => {
    expect(serveRelaunch({ ...compiled, env: { ...compiled.env, [VAR]: '100' } })).toBeNull();
    expect(serveRelaunch({ ...compiled, env: { [VAR]: '' } })).toBeNull();
  });
});

describe('relaunchServe', () => {
  it('hands the relaunch to execve, with the process as `this`', () => {
    const seen: unknown[] = [];
    const proc = {
      ...compiled,
      execve(this: unknown, file: string, args: string[], env: Record<string, string>) {
        seen.push(this, file, args, env[VAR]);
      },
    };
    expect(relaunchServe(proc)).toBeNull();
    expect(seen).toEqual([proc, '/opt/tokometer/tokometer', ['./tokometer', 'serve', '--port', '0'], '2000']);
  });

  it('does not call execve when the settings are already there', () => {
    let calls = 0;
    expect(relaunchServe({ ...compiled, env: { [VAR]: '2000' }, execve: () => void calls++ })).toBeNull();
    expect(calls).toBe(0);
  });

  it('does not restart under a profiler or the inspector, and says so', () => {
    let calls = 0;
    const profiled = { ...compiled, execArgv: ['--cpu-prof', '--cpu-prof-dir=/tmp/p'], execve: () => void calls++ };
    expect(relaunchServe(profiled)).toMatch(/^running under --cpu-prof, serve does not restart itself.*MIMALLOC_PURGE_HOLES_MIN_INTERVAL unset/);
    expect(relaunchServe({ ...profiled, execArgv: ['--inspect=127.0.0.1:9229'] })).toMatch(/^running under --inspect,/);
    expect(calls).toBe(0);
    // Other flags still restart.
    expect(relaunchServe({ ...profiled, execArgv: ['--smol'] })).toBeNull();
    expect(calls).toBe(1);
  });

  it('returns a warning naming the variable when there is no execve or it fails', () => {
    expect(relaunchServe({ ...compiled })).toMatch(/no process\.execve.*MIMALLOC_PURGE_HOLES_MIN_INTERVAL unset/);
    const failing = {
      ...compiled,
      execve: () => {
        throw new Error('EACCES: permission denied');
      },
    };
    expect(relaunchServe(failing)).toBe(
      "could not restart with MIMALLOC_PURGE_HOLES_MIN_INTERVAL set (EACCES: permission denied); serving with the allocator's defaults",
    );
  });
});
