import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { report, windowsDb } from './windows-harness.js';

/** What report suggests after a mistake: months spelled as a span, and commands that keep the user's options. */

const db = windowsDb();
afterAll(() => rmSync(path.dirname(db), { recursive: true, force: true }));

describe('report hints', () => {
  it.each(['1mo', '2months', '3mon'])('--since %s: months are not a span, said as for 1M', async (since) => {
    await expect(report(db, ['--since', since])).rejects.toThrow(
      `--since "${since}" is not a time (a month is no fixed span: for months use this-month, last-month or a date; 30d is 30 days).`,
    );
  });

  it('the command suggested after filters that match nothing keeps --db and the window the user gave', async () => {
    const { out } = await report(db, ['--since', '2026-11-01', '--until', '2026-11-30', '--where', 'feature=zzz']);
    expect(out).toContain(`Check the filter values: \`tokometer report --by feature --db ${db} --since 2026-11-01 --until 2026-11-30\` lists the values recorded.`);
  });
});
