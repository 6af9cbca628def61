import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import type { TestStore as Store } from '../support/store.js';
import { record, type CallSpec } from '../report/dataset.js';
import { BINARY, NODE_ENTRY, runCli } from '../support/spawn-cli.js';
import { seedDb, type SeededDb } from './fixtures.js';
import { openTerminal, type Terminal } from './support/terminal.js';

/**
 * The built binary (Bun, bun:sqlite) in a real terminal: `tokometer tui --db` against a
 * database that another connection keeps writing to. It must draw the dashboard, show the
 * new calls in the live tail, react to keys, and on `q` exit 0 with the terminal restored
 * (alternate screen left, cursor shown, nothing of the dashboard left on the shell's screen).
 */

let db: SeededDb;
let writer: Store;

/** Calls over the last days, relative to the real clock the binary reads. */
function recentCalls(): CallSpec[] {
  const now = Date.now();
  const features = ['summarizer', 'chatbot', 'autocomplete'];
  return Array.from({ length: 30 }, (_, i) => ({
    at: now - (i + 1) * 5 * 3_600_000,
    model: i % 2 === 0 ? 'gpt-4o' : 'gpt-4o-mini',
    key: features[i % 3]!,
    cost: (3 - (i % 3)) * 10e6,
    latency: 150 + i,
    tags: { feature: features[i % 3]!, user_tier: i % 2 === 0 ? 'free' : 'pro', user_id: `u${i % 5}` },
  }));
}

/**
 * A user's shell environment, with CI=true on purpose: Ink draws only a final frame when it
 * believes it runs in CI, and `tui` (interactive by definition) must still draw live.
 */
function terminalEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(NO_COLOR|TMUX|TMUX_PANE|FORCE_COLOR)$|^TOKOMETER_|_API_KEY$/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, CI: 'true', TERM: 'xterm-256color', LANG: 'C.UTF-8' };
}

async function until<T>(what: string, term: Terminal, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms (${term.kind}); screen:\n${term.screen()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  db = seedDb(recentCalls());
  writer = createStore(openDriver(db.path));
});
afterAll(() => {
  writer.close();
  db.close();
});

describe('tokometer tui in a real terminal (built binary)', () => {
  it('draws, tails calls written meanwhile, follows keys, and quits with q leaving the terminal as it was', async () => {
    const term = openTerminal({ argv: [BINARY, 'tui', '--db', db.path], env: terminalEnv(), columns: 100, rows: 30 });
    let written = 0;
    const writing = setInterval(() => {
      written++;
      writer.insertCalls([record({ at: Date.now(), model: `live-model-${written}`, key: 'chatbot', cost: 2e6, tags: { feature: 'chatbot', user_tier: 'free' } })]);
    }, 300);
    try {
      await until('the dashboard', term, () => /Spend by feature/.test(term.screen()) && /Live tail/.test(term.screen()));
      expect(term.modes().alternateScreen).toBe(true);
      const seen = await until('a call written after start in the tail', term, () => /live-model-(\d+)/.exec(term.screen())?.[1]);
      const later = Number(seen) + 3;
      await until(`live-model-${later} in the tail`, term, () => new RegExp(`live-model-${later}\\b`).test(term.screen()));

      term.send({ named: 'Tab' });
      await until('group by user_tier', term, () => /Spend by user_tier/.test(term.screen()));
      term.send('7');
      await until('the 7-day period', term, () => /last 7 days/.test(term.screen()));
      term.send({ named: 'Enter' });
      await until('a drill-down', term, () => /Spend by model · user_tier=/.test(term.screen()));
      term.send({ named: 'BSpace' });
      await until('back from the drill-down', term, () => /Spend by user_tier  /.test(term.screen()));
      term.send('?');
      await until('the help', term, () => /Keys/.test(term.screen()) && /quit and restore the terminal/.test(term.screen()));
      term.send('?');
      await until('the help closed', term, () => /Live tail/.test(term.screen()));

      term.send('q');
      const code = await until('exit after q', term, () => term.exitCode());
      expect(code).toBe(0);
      expect(term.modes()).toEqual({ alternateScreen: false, cursorVisible: true });
      if (term.kind === 'tmux') expect(term.screen()).not.toMatch(/Spend by|Live tail/);
    } finally {
      clearInterval(writing);
      term.close();
    }
  }, 90_000);

  it('quits on Ctrl-C too, leaving the terminal as it was', async () => {
    const term = openTerminal({ argv: [BINARY, 'tui', '--db', db.path, '--since', 'this-month'], env: terminalEnv(), columns: 80, rows: 24 });
    try {
      await until('the dashboard', term, () => /this month/.test(term.screen()) && /Live tail/.test(term.screen()));
      term.send({ named: 'C-c' });
      expect(await until('exit after Ctrl-C', term, () => term.exitCode())).toBe(0);
      expect(term.modes()).toEqual({ alternateScreen: false, cursorVisible: true });
    } finally {
      term.close();
    }
  }, 60_000);

  it('embeds React\'s production build, not its development build (built with --production)', () => {
    const binary = readFileSync(BINARY);
    expect(binary.includes('react-reconciler.production.js'), 'React\'s production reconciler in the binary').toBe(true);
    expect(binary.includes('react-reconciler.development.js'), 'React\'s development reconciler in the binary').toBe(false);
  });

  it.each([
    { what: 'unset', nodeEnv: undefined, expected: 'production' },
    { what: 'set by the user to development', nodeEnv: 'development', expected: 'development' },
  ] as const)('on Node, with NODE_ENV $what, loads React\'s $expected build', async ({ nodeEnv, expected }) => {
    const log = path.join(db.dir, `modules-${expected}.log`);
    const env: Record<string, string> = { ...terminalEnv(), NODE_DEBUG: 'module' };
    delete env.NODE_ENV;
    if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv;
    // Node's module debug log goes to stderr, kept out of the dashboard's screen.
    const argv = ['sh', '-c', 'exec "$@" 2>"$0"', log, process.execPath, NODE_ENTRY, 'tui', '--db', db.path];
    const term = openTerminal({ argv, env, columns: 100, rows: 30 });
    try {
      await until('the dashboard', term, () => /Live tail/.test(term.screen()));
      term.send('q');
      expect(await until('exit after q', term, () => term.exitCode())).toBe(0);
    } finally {
      term.close();
    }
    const loaded = [...readFileSync(log, 'utf8').matchAll(/load "[^"]*react-reconciler\.(production|development)\.js"/g)].map((m) => m[1]);
    expect(loaded).toEqual([expected]);
  }, 60_000);

  it.each([
    ['binary', BINARY],
    ['node', NODE_ENTRY],
  ] as const)('refuses to run without a terminal (%s build): a clear message and exit code 2', async (build, _entry) => {
    const result = await runCli(build, ['tui', '--db', db.path], { cwd: db.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/tui needs an interactive terminal/);
    expect(result.stdout).toBe('');
  });
});
