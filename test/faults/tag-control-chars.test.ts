import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReportCommand, type ReportDeps } from '../../src/cli/report.js';
import { startHarness, type Harness } from '../support/proxy-harness.js';
import { readStore } from '../tui/fixtures.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/**
 * Tag values come from any app holding a metering key (X-Metering-Tags). One with control
 * characters, valid JSON (`\u001b`, `\r`, `\n`), is accepted today and printed raw by
 * `tokometer report` on the operator's terminal: an escape sequence (here OSC 52, which
 * writes the clipboard of many terminals; or ones that rewrite the screen) or a line
 * break that forges a row of the spend table. Such a header is refused with a 400 that
 * says why, or the characters never reach the report.
 */
describe('control characters in X-Metering-Tags values', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ upstream: { reply: () => ({ body: CHAT }) } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('never reach the terminal through `tokometer report`', async () => {
    const evil = '\u001b]52;c;Y3VybCBldmlsLnNofHNo\u0007summarizer\r\nsearch                 $9,999.00';
    const res = await fetch(`${h.baseUrl()}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', 'x-metering-tags': JSON.stringify({ feature: evil }) },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    await res.text();
    if (res.status === 400) return; // refused: nothing stored
    expect(h.rows()).toHaveLength(1);

    let out = '';
    const deps: ReportDeps = {
      openStore: async ({ path: p }) => readStore(p),
      resolveDb: () => ({ path: h.dbPath, namedBy: null }),
      clock: () => Date.now() + 1000,
      timeZone: () => 'UTC',
      economics: () => ({ price_per_user: {}, price_per_tenant: {} }),
      out: (s) => void (out += s),
      err: () => {},
      isTTY: true,
      env: { NO_COLOR: '1' },
    };
    const program = new Command('tokometer').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerReportCommand(program, deps);
    await program.parseAsync(['report', '--by', 'feature', '--since', '1d'], { from: 'user' });
    expect(out).toContain("summarizer");
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});
