import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { record } from '../report/dataset.js';
import { testStore } from '../support/store.js';

/**
 * Messages a new user meets on a first run that said something else than the command
 * does (review msgs). Each test drives the real command parser in-process, in a fresh
 * temp folder, as a user would type the command there.
 */

const { dir, cli } = cliFolder('tokometer-first-run-');

const writeConfig = (text: string) => writeFileSync(path.join(dir(), 'tokometer.yaml'), text);

describe('config check and serve on a store.spill_path they cannot use: the same error, at the line of spill_path', () => {
  it('fails with the error serve stops on, exit 2', async () => {
    writeConfig('store: { spill_path: "./missing/calls.spill" }\n');
    const expected = `tokometer: tokometer.yaml:1:22: store.spill_path: the folder ${path.join(dir(), 'missing')} does not exist; create it or point store.spill_path elsewhere\n`;

    const serve = await cli(['serve', '--port', '0']);
    expect(serve).toEqual({ code: 2, out: '', err: expected });

    const check = await cli(['config', 'check']);
    expect(check).toEqual({ code: 2, out: '', err: expected });
  });

  it('a spill_path whose folder is a file, on line 3 of a --config file', async () => {
    writeFileSync(path.join(dir(), 'notes'), 'x');
    writeFileSync(path.join(dir(), 'prod.yaml'), 'timezone: UTC\nstore:\n  spill_path: notes/calls.spill\n');
    const expected = `tokometer: prod.yaml:3:15: store.spill_path: ${path.join(dir(), 'notes')} is a file, not a folder; point store.spill_path at a file in a folder that exists\n`;
    expect(await cli(['serve', '--port', '0', '--config', 'prod.yaml'])).toEqual({ code: 2, out: '', err: expected });
    expect(await cli(['config', 'check', '--config', 'prod.yaml'])).toEqual({ code: 2, out: '', err: expected });
  });

  it('a spill_path in a folder no one may write to (/proc/sys)', async () => {
    writeConfig('store:\n  spill_path: /proc/sys/calls.spill\n');
    const expected = 'tokometer: tokometer.yaml:2:15: store.spill_path: the folder /proc/sys is not writable by this user, so the spill file cannot be made there; make it writable or point store.spill_path elsewhere\n';
    expect(await cli(['serve', '--port', '0'])).toEqual({ code: 2, out: '', err: expected });
    expect(await cli(['config', 'check'])).toEqual({ code: 2, out: '', err: expected });
  });

  it('passes once the folder exists', async () => {
    writeConfig('store: { spill_path: "./spill/calls.spill" }\n');
    mkdirSync(path.join(dir(), 'spill'));
    const check = await cli(['config', 'check']);
    expect(check.code).toBe(0);
    expect(check.out.split('\n')[0]).toBe('config OK: tokometer.yaml');
  });
});

/** A database in the test folder holding two calls of 2026-11-20, tagged feature=search and feature=chat. */
async function databaseWithCalls(): Promise<string> {
  const file = path.join(dir(), 'calls.db');
  const store = testStore(openDriver(file));
  store.insertCalls([record({ at: '2026-11-20T10:00:00Z', tags: { feature: 'search' } }), record({ at: '2026-11-20T11:00:00Z', tags: { feature: 'chat' } })]);
  await store.close();
  return file;
}

describe('report --by or --where with a typo of a built-in dimension', () => {
  it('--by outcom: did you mean the built-in "outcome"', async () => {
    const file = await databaseWithCalls();
    const res = await cli(['report', '--db', file, '--since', '2026-11-01', '--by', 'outcom']);
    expect(res.code).toBe(0);
    expect(res.err).toBe('note: no call in this period has the tag key "outcom" (--by); did you mean the built-in dimension "outcome"? Tag keys seen: feature.\n');
  });

  it('--where Model=gpt-4o-mini: did you mean "model" (a tag key is case-sensitive, the suggestion is not)', async () => {
    const file = await databaseWithCalls();
    const res = await cli(['report', '--db', file, '--since', '2026-11-01', '--where', 'Model=gpt-4o-mini']);
    expect(res.err).toBe('note: no call in this period has the tag key "Model" (--where); did you mean the built-in dimension "model"? Tag keys seen: feature.\n');
  });

  it('a tag key far from every built-in keeps the tag note alone', async () => {
    const file = await databaseWithCalls();
    const res = await cli(['report', '--db', file, '--since', '2026-11-01', '--by', 'featrue']);
    expect(res.err).toBe('note: no call in this period has the tag key "featrue" (--by); keys seen: feature.\n');
  });
});

describe('report --since in minutes: "the last 5 minutes"', () => {
  it('--since 5m and --since 30min cover that many minutes before now (the clock: 2026-12-01T00:00Z)', async () => {
    const file = path.join(dir(), 'recent.db');
    const store = testStore(openDriver(file));
    store.insertCalls([
      record({ at: '2026-11-30T23:57:00Z', tags: { feature: 'search' } }),
      record({ at: '2026-11-30T23:40:00Z', tags: { feature: 'chat' } }),
      record({ at: '2026-11-30T22:00:00Z', tags: { feature: 'chat' } }),
    ]);
    await store.close();
    const calls = async (since: string) => {
      const res = await cli(['report', '--db', file, '--since', since, '--format', 'json']);
      expect(res.err).toBe('');
      expect(res.code).toBe(0);
      return (JSON.parse(res.out) as { total: { calls: number } }).total.calls;
    };
    expect(await calls('5m')).toBe(1);
    expect(await calls('30min')).toBe(2);
    expect(await calls('3h')).toBe(3);
  });
});

describe('report --db naming a file with no calls', () => {
  it('a file that does not exist: says so, without telling the user to pass the --db they passed', async () => {
    const typo = path.join(dir(), 'typo.db');
    const res = await cli(['report', '--db', typo]);
    expect(res).toEqual({ code: 2, out: '', err: `tokometer: no database at ${typo}: the file given to --db does not exist\n` });
  });

  it('an empty (0-byte) file: says it has no calls, without telling the user to pass --db', async () => {
    const empty = path.join(dir(), 'empty.db');
    writeFileSync(empty, '');
    const res = await cli(['report', '--db', empty]);
    expect(res).toEqual({ code: 2, out: '', err: `tokometer: no tokometer data in ${empty}: the file given to --db is empty (no calls recorded in it)\n` });
  });

  it('without --db, the default ./tokometer.db missing or empty still points to --db', async () => {
    const missing = await cli(['report']);
    expect(missing.err).toBe(`tokometer: no database at ${path.join(dir(), 'tokometer.db')} (pass --db with the path \`tokometer serve\` writes to)\n`);
    writeFileSync(path.join(dir(), 'tokometer.db'), '');
    const empty = await cli(['report']);
    expect(empty.err).toBe(`tokometer: no tokometer data in ${path.join(dir(), 'tokometer.db')}: the database is empty (pass --db with the path \`tokometer serve\` writes to)\n`);
  });
});

describe('prices --at takes the date forms of report --since', () => {
  // deepseek-chat (pricing/overrides.ts): V3 until 2025-09-05, $0.27 input 00:30–16:30 UTC and
  // $0.135 outside; $0.28 since 2025-09-29. The harness's clock is 2026-12-01T00:00:00Z.
  const inputPrice = (out: string) => /\n {4}input +(\S+)\n/.exec(out)?.[1];

  it('--at yesterday: the start of 2026-11-30, today\'s $0.28', async () => {
    const res = await cli(['prices', 'show', 'deepseek-chat', '--at', 'yesterday']);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    expect(inputPrice(res.out)).toBe('$0.28');
  });

  it('--at 65w: 455 days before now, 2025-09-02T00:00Z, the V3 night price $0.135', async () => {
    const res = await cli(['prices', 'show', 'deepseek-chat', '--at', '65w']);
    expect(res.code).toBe(0);
    expect(inputPrice(res.out)).toBe('$0.135');
  });

  it('--at 2025-09-02 is local midnight in the config\'s timezone, as in report: 07:00Z in Los Angeles, the V3 day price $0.27', async () => {
    writeConfig('timezone: America/Los_Angeles\n');
    const res = await cli(['prices', 'show', 'deepseek-chat', '--at', '2025-09-02']);
    expect(res.code).toBe(0);
    expect(inputPrice(res.out)).toBe('$0.27');
  });

  it('a form report refuses is refused in report\'s words', async () => {
    const res = await cli(['prices', 'list', '--at', 'soon']);
    expect(res.code).toBe(2);
    expect(res.err).toBe('tokometer: --at "soon" is not a time. Use a relative span (30m, 24h, 7d, 2w), now, today, yesterday, this-week, last-week, this-month, last-month, a date (2026-11-01) or a timestamp (2026-11-01T09:30, 2026-11-01T09:30:00Z).\n');
  });
});

describe('keys --alert-at out of order', () => {
  // The config refuses `alert_at: [0.8, 0.5, 1]` ("must be in strictly ascending order"); the
  // command line took the same list and sorted it.
  const refusal = (given: string) => `tokometer: --alert-at '${given}': the fractions must be increasing, each larger than the one before (as alert_at in the config), e.g. 0.5,0.8,1\n`;
  const budgetOf = async (db: string) => (JSON.parse((await cli(['keys', 'list', '--json', '--db', db])).out) as Array<{ name: string; budget: unknown }>).find((k) => k.name === 'app')?.budget;

  it('keys set --alert-at 0.8,0.5,1 is refused (exit 2) and the key keeps its budget', async () => {
    const db = path.join(dir(), 'calls.db');
    expect((await cli(['keys', 'create', 'app', '--budget', '5', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'set', 'app', '--budget', '7', '--alert-at', '0.8,0.5,1', '--db', db]);
    expect(res).toEqual({ code: 2, out: '', err: refusal('0.8,0.5,1') });
    expect(await budgetOf(db)).toEqual({ limit_usd: 5, period: 'month', alert_at: [0.5, 0.8, 1], soft: false });
  });

  it('keys create --alert-at 0.5,0.5,1 (a repeated fraction) is refused and creates no key', async () => {
    const db = path.join(dir(), 'calls.db');
    const res = await cli(['keys', 'create', 'app', '--budget', '5', '--alert-at', '0.5,0.5,1', '--db', db]);
    expect(res.code).toBe(2);
    expect(res.err).toBe(refusal('0.5,0.5,1'));
    // Refused before the store is opened: no database either.
    expect(existsSync(db)).toBe(false);
  });

  it('keys create --alert-at 0.5,20 (a fraction over 10, which the config and the admin API refuse) is refused and creates no key', async () => {
    const db = path.join(dir(), 'calls.db');
    const res = await cli(['keys', 'create', 'app', '--budget', '5', '--alert-at', '0.5,20', '--db', db]);
    expect(res).toEqual({ code: 2, out: '', err: "tokometer: --alert-at '0.5,20': 20 reads as a percentage, but --alert-at takes fractions of the limit: write 0.2 for 20% (1 = 100%; at most 10, an alert at 10 times the limit of a soft budget)\n" });
    // Refused before the store is opened: no database either.
    expect(existsSync(db)).toBe(false);
  });

  it('an increasing list is kept as given', async () => {
    const db = path.join(dir(), 'calls.db');
    expect((await cli(['keys', 'create', 'app', '--budget', '5', '--alert-at', '0.25,0.9', '--db', db])).code).toBe(0);
    expect(await budgetOf(db)).toEqual({ limit_usd: 5, period: 'month', alert_at: [0.25, 0.9], soft: false });
  });
});

describe('the line:column of a YAML syntax error is the one a human counts in an editor', () => {
  const check = async (text: string) => {
    writeFileSync(path.join(dir(), 'broken.yaml'), text);
    return cli(['config', 'check', '--config', 'broken.yaml']);
  };

  it('plain ASCII: "  host: a: b" on line 3 is wrong at the a, column 9', async () => {
    const res = await check('listen:\n  port: 8787\n  host: a: b\n');
    expect(res).toEqual({ code: 2, out: '', err: 'tokometer: broken.yaml:3:9: invalid YAML: Nested mappings are not allowed in compact mappings\n' });
  });

  it('a file saved with a byte order mark (Windows editors): the invisible mark is not a column, the a of "timezone: a: b" is column 11', async () => {
    const res = await check('\uFEFFtimezone: a: b\n');
    expect(res.err).toBe('tokometer: broken.yaml:1:11: invalid YAML: Nested mappings are not allowed in compact mappings\n');
  });

  it('an emoji before the error is one character: the stray x after the 🚀 tag value is column 35', async () => {
    // '  app: { tags: { feature: ' is columns 1-26, '"🚀"' 27-29, ' } } ' 30-34, x 35 (36 in UTF-16 units: 🚀 is two).
    const res = await check('keys:\n  app: { tags: { feature: "🚀" } } x\n');
    expect(res.err).toMatch(/^tokometer: broken\.yaml:2:35: invalid YAML: /);
  });

  it('a letter with a combining accent (e + U+0301) is one character: the x after "café" is column 38', async () => {
    const res = await check('keys:\n  app: { tags: { feature: "cafe\u0301" } } x\n');
    expect(res.err).toMatch(/^tokometer: broken\.yaml:2:38: invalid YAML: /);
  });
});
