import { describe, expect, it } from 'vitest';
import { invokedAs, type InvocationFacts } from '../../src/cli/invocation.js';

/** A file system of real paths: each listed path (link or file) resolves to its value. */
function facts(f: Partial<InvocationFacts> & { files?: Record<string, string> }): InvocationFacts {
  const files = f.files ?? {};
  return {
    argv: ['bun', '/$bunfs/root/tokometer', 'demo'],
    argv0: 'tokometer',
    execPath: '/home/u/proj/dist/tokometer',
    runtime: 'bun',
    env: { PATH: '/usr/bin:/bin' },
    cwd: '/home/u/proj',
    realPath: (file) => files[file] ?? null,
    ...f,
  };
}

const BIN = { '/home/u/proj/dist/tokometer': '/home/u/proj/dist/tokometer' };

describe('how tokometer was started', () => {
  it('is the binary path as typed, relative or absolute', () => {
    expect(invokedAs(facts({ argv0: './dist/tokometer', files: BIN }))).toBe('./dist/tokometer');
    expect(invokedAs(facts({ argv0: 'dist/tokometer', files: BIN }))).toBe('dist/tokometer');
    expect(invokedAs(facts({ argv0: '/home/u/proj/dist/tokometer', files: BIN }))).toBe('/home/u/proj/dist/tokometer');
  });

  it('is the bare name when the binary was found on PATH', () => {
    const files = { '/opt/tk/tokometer': '/home/u/proj/dist/tokometer', ...BIN };
    expect(invokedAs(facts({ argv0: 'tokometer', env: { PATH: '/usr/bin:/opt/tk' }, files }))).toBe('tokometer');
  });

  it("falls back to the binary's own path when the typed name does not lead back to it", () => {
    // Another tokometer first on PATH, or a caller that set argv0 to something else.
    const files = { '/usr/bin/tokometer': '/usr/bin/tokometer', ...BIN };
    expect(invokedAs(facts({ argv0: 'tokometer', env: { PATH: '/usr/bin' }, files }))).toBe('./dist/tokometer');
    expect(invokedAs(facts({ argv0: 'bun', files: BIN, cwd: '/elsewhere' }))).toBe('/home/u/proj/dist/tokometer');
  });

  it('is `npx tokometer` for the package bin that npx runs', () => {
    const entry = '/root/.npm/_npx/1a2b/node_modules/.bin/tokometer';
    const files = { [entry]: '/root/.npm/_npx/1a2b/node_modules/tokometer/dist/js/main.js' };
    expect(invokedAs(facts({ argv: ['/usr/bin/node', entry, 'demo'], argv0: 'node', runtime: 'node', env: { PATH: `/root/.npm/_npx/1a2b/node_modules/.bin:/usr/bin` }, files }))).toBe('npx tokometer');
  });

  it('is the bare name for a global install on PATH', () => {
    const files = { '/usr/local/bin/tokometer': '/usr/local/lib/node_modules/tokometer/dist/js/main.js' };
    expect(invokedAs(facts({ argv: ['/usr/bin/node', '/usr/local/bin/tokometer'], argv0: 'node', runtime: 'node', env: { PATH: '/usr/local/bin' }, files }))).toBe('tokometer');
  });

  it('is `node <script>` for the Node build run by its path, quoted when needed', () => {
    const node = (script: string, cwd: string) => invokedAs(facts({ argv: ['/usr/bin/node', script, 'demo'], argv0: 'node', runtime: 'node', cwd }));
    expect(node('/home/u/proj/dist/js/main.js', '/home/u/proj')).toBe('node dist/js/main.js');
    expect(node('/home/u/proj/dist/js/main.js', '/tmp')).toBe('node /home/u/proj/dist/js/main.js');
    expect(node("/home/u/my proj/dist/js/main.js", '/tmp')).toBe("node '/home/u/my proj/dist/js/main.js'");
  });
});
