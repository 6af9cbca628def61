import { describe, expect, it } from 'vitest';
import { SERVE_ALLOCATOR_ENV, relaunchServe, serveRelaunch, type ProcessFacts } from '../../src/server/bun-serve-relaunch.js';

const VAR = 'MIMALLOC_PURGE_HOLES_MIN_INTERVAL';
/** What serve hands over (cli/serve-handoff.ts). */
const HANDOFF = { TOKOMETER_SERVE_PLAN: '/tmp/tokometer-serve-x/plan.json' };

/** A compiled binary started as `./tokometer serve --port 0`. */
const compiled: ProcessFacts = {
  env: { PATH: '/usr/bin', HOME: '/root', UNSET: undefined },
  argv: ['bun', '/$bunfs/root/tokometer', 'serve', '--port', '0'],
  argv0: './tokometer',
  execPath: '/opt/tokometer/tokometer',
  execArgv: [],
};

describe('serveRelaunch', () => {
  it('starts a compiled binary again with its own arguments, its environment, the allocator settings and the handoff', () => {
    expect(SERVE_ALLOCATOR_ENV[VAR]).toBe('2000');
    expect(serveRelaunch(compiled, HANDOFF)).toEqual({
      file: '/opt/tokometer/tokometer',
      args: ['./tokometer', 'serve', '--port', '0'],
      env: { PATH: '/usr/bin', HOME: '/root', [VAR]: '2000', ...HANDOFF },
    });
  });

  it('keeps the runtime flags and the script of `bun script.js serve`', () => {
    const script: ProcessFacts = { ...compiled, argv: ['/usr/local/bin/bun', '/srv/tokometer/dist/js/main.js', 'serve'], argv0: 'bun', execPath: '/usr/local/bin/bun', execArgv: ['--smol'] };
    expect(serveRelaunch(script, HANDOFF).args).toEqual(['bun', '--smol', '/srv/tokometer/dist/js/main.js', 'serve']);
  });

  it('passes the flags Bun took from BUN_OPTIONS only through the environment, so they apply once', () => {
    const script: ProcessFacts = { ...compiled, argv: ['bun', '/srv/main.js', 'serve'], argv0: 'bun', execPath: '/usr/local/bin/bun' };
    const withOptions = (bunOptions: string, execArgv: string[]) => serveRelaunch({ ...script, env: { BUN_OPTIONS: bunOptions }, execArgv }, HANDOFF);
    expect(withOptions(' --smol  --preload /srv/p.js ', ['--smol', '--preload', '/srv/p.js', '--expose-gc'])).toMatchObject({
      args: ['bun', '--expose-gc', '/srv/main.js', 'serve'],
      env: { BUN_OPTIONS: ' --smol  --preload /srv/p.js ' },
    });
    // Leading flags that are not BUN_OPTIONS split at whitespace (a quoted path): kept whole.
    expect(withOptions('--preload "/srv/a b.js"', ['--preload', '/srv/a b.js']).args).toEqual(['bun', '--preload', '/srv/a b.js', '/srv/main.js', 'serve']);
    expect(withOptions('', ['--smol']).args).toEqual(['bun', '--smol', '/srv/main.js', 'serve']);
  });

  it("never replaces an operator's value, even an empty one, and still restarts for the handoff", () => {
    expect(serveRelaunch({ ...compiled, env: { ...compiled.env, [VAR]: '100' } }, HANDOFF).env).toEqual({ PATH: '/usr/bin', HOME: '/root', [VAR]: '100', ...HANDOFF });
    expect(serveRelaunch({ ...compiled, env: { [VAR]: '' } }, HANDOFF).env).toEqual({ [VAR]: '', ...HANDOFF });
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
    expect(relaunchServe(() => HANDOFF, proc)).toBeNull();
    expect(seen).toEqual([proc, '/opt/tokometer/tokometer', ['./tokometer', 'serve', '--port', '0'], '2000']);
  });

  it('asks for the handoff only when it makes the execve', () => {
    let handoffs = 0;
    const handoff = () => (handoffs++, HANDOFF);
    let env: Record<string, string> = {};
    expect(relaunchServe(handoff, { ...compiled, env: { [VAR]: '2000' }, execve: (_f: string, _a: string[], e: Record<string, string>) => void (env = e) })).toBeNull();
    expect(handoffs).toBe(1);
    expect(env).toEqual({ [VAR]: '2000', ...HANDOFF });
    relaunchServe(handoff, { ...compiled, execArgv: ['--cpu-prof'], execve: () => undefined });
    relaunchServe(handoff, { ...compiled });
    expect(handoffs).toBe(1);
  });

  it('does not restart under a profiler or the inspector, and says so', () => {
    let calls = 0;
    const profiled = { ...compiled, execArgv: ['--cpu-prof', '--cpu-prof-dir=/tmp/p'], execve: () => void calls++ };
    expect(relaunchServe(() => HANDOFF, profiled)).toMatch(/^running under --cpu-prof, serve does not restart itself; serving in this process.*MIMALLOC_PURGE_HOLES_MIN_INTERVAL unset/);
    expect(relaunchServe(() => HANDOFF, { ...profiled, execArgv: ['--inspect=127.0.0.1:9229'] })).toMatch(/^running under --inspect,/);
    // With the operator's own value the allocator is not at its defaults, and the warning does not say so.
    expect(relaunchServe(() => HANDOFF, { ...profiled, env: { [VAR]: '100' } })).toBe('running under --cpu-prof, serve does not restart itself; serving in this process');
    expect(calls).toBe(0);
    // Other flags still restart.
    expect(relaunchServe(() => HANDOFF, { ...profiled, execArgv: ['--smol'] })).toBeNull();
    expect(calls).toBe(1);
  });

  it('returns a warning naming the variable when there is no execve, or it or the handoff fails', () => {
    expect(relaunchServe(() => HANDOFF, { ...compiled })).toMatch(/no process\.execve; serving in this process.*MIMALLOC_PURGE_HOLES_MIN_INTERVAL unset/);
    const failing = {
      ...compiled,
      execve: () => {
        throw new Error('EACCES: permission denied');
      },
    };
    expect(relaunchServe(() => HANDOFF, failing)).toBe(
      "could not restart serve in a process of its own (EACCES: permission denied); serving in this process with the allocator's defaults (MIMALLOC_PURGE_HOLES_MIN_INTERVAL unset; set it to measure as the binary runs)",
    );
    // No place to write the plan (a read-only temp folder): serve runs here, and execve is never called.
    let calls = 0;
    const readOnly = () => {
      throw new Error("EROFS: read-only file system, mkdtemp '/tmp/tokometer-serve-XXXXXX'");
    };
    expect(relaunchServe(readOnly, { ...compiled, execve: () => void calls++ })).toMatch(/^could not restart serve in a process of its own \(EROFS: read-only file system.*\); serving in this process/);
    expect(calls).toBe(0);
  });
});
