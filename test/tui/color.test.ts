import { afterAll, describe, expect, it } from 'vitest';
import { colorEnabled } from '../../src/cli/tui.js';

// Ink colours through chalk, which decides its colour level when first imported; the
// test process writes to a pipe, so force colour before Ink loads (dynamic imports below).
process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { createElement: h } = await import('react');
const { App } = await import('../../src/tui/App.js');
const { initialState } = await import('../../src/tui/state.js');
const { createDbSource } = await import('../../src/tui/data/db-source.js');
const { NOW, readStore, seedDb, TAG_BUDGETS } = await import('./fixtures.js');

const db = seedDb();
const source = createDbSource({ store: readStore(db.path), label: 'test.db', clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: TAG_BUDGETS });
afterAll(() => {
  source.close();
  db.close();
});

async function frame(color: boolean): Promise<string> {
  const app = render(h(App, { source, initial: initialState(), color, intervalMs: 50, size: { columns: 80, rows: 24 } }));
  try {
    const deadline = Date.now() + 5000;
    while (!(app.lastFrame() ?? '').includes('Live tail')) {
      if (Date.now() > deadline) throw new Error(`no dashboard frame:\n${app.lastFrame()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return app.lastFrame()!;
  } finally {
    app.unmount();
  }
}

describe('NO_COLOR', () => {
  it('the CLI turns colour off when NO_COLOR is set (and non-empty) or TERM is dumb', () => {
    expect(colorEnabled({ TERM: 'xterm-256color' })).toBe(true);
    expect(colorEnabled({ NO_COLOR: '1', TERM: 'xterm' })).toBe(false);
    expect(colorEnabled({ NO_COLOR: '', TERM: 'xterm' })).toBe(true);
    expect(colorEnabled({ TERM: 'dumb' })).toBe(false);
  });

  it('with colour: budgets in green/yellow/red, selection inverted; without: not one escape sequence', async () => {
    const coloured = await frame(true);
    expect(coloured).toMatch(/\u001b\[33m\s*█+/); // summarizer at 93%: yellow gauge
    expect(coloured).toMatch(/\u001b\[32m\s*█+/); // pro-monthly at 25%: green gauge
    expect(coloured).toMatch(/\u001b\[7m/); // the selected row
    const plain = await frame(false);
    expect(plain).not.toMatch(/\u001b\[/);
    expect(plain.replace(/\s+/g, ' ')).toBe(coloured.replace(/\u001b\[[0-9;]*m/g, '').replace(/\s+/g, ' '));
  });
});
