import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cliFolder } from './cli-folder.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { record } from '../report/dataset.js';

/**
 * Defects a new user meets in the CLI (review rv-newuser). Each test drives the real
 * command parser in-process, in a fresh temp folder, as a user would type it.
 */

const { dir, cli } = cliFolder('tokometer-newuser-');


const tables = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
};

describe('read-only commands on a database that is not tokometer’s', () => {
  // docs: report, audit, prices unpriced open the database read-only and never create anything.
  for (const command of [['report'], ['audit'], ['prices', 'unpriced']]) {
    it(`${command.join(' ')} leaves another application's SQLite file unchanged`, async () => {
      const file = path.join(dir(), 'app.db');
      const db = new Database(file);
      db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('a@example.com')");
      db.close();

      await cli([...command, '--db', file]);

      expect(tables(file)).toEqual(['users']);
    });
  }

  it('report on an empty (0-byte) file does not turn it into a tokometer database', async () => {
    const file = path.join(dir(), 'empty.db');
    writeFileSync(file, '');
    await cli(['report', '--db', file]);
    expect(tables(file)).toEqual([]);
  });
});

describe('report --where status=… (README: "`--where status=429`")', () => {
  it('reports the calls the provider answered with that status', async () => {
    const file = path.join(dir(), 'calls.db');
    const store = createStore(openDriver(file));
    store.insertCalls([
      record({ at: '2026-11-20T10:00:00Z' }),
      { ...record({ at: '2026-11-20T10:01:00Z', cost: 0, usage: false }), status: 429, outcome: 'upstream_error', usageSource: 'not_metered' },
    ]);
    await store.close();

    const res = await cli(['report', '--db', file, '--since', '2026-11-01', '--where', 'status=429', '--format', 'json']);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.out) as { total: { calls: number } };
    expect(doc.total.calls).toBe(1);
  });

  it('does not say that a call the provider answered "did not reach the provider"', async () => {
    const file = path.join(dir(), 'calls.db');
    const store = createStore(openDriver(file));
    store.insertCalls([
      record({ at: '2026-11-20T10:00:00Z' }),
      { ...record({ at: '2026-11-20T10:01:00Z', cost: 0, usage: false }), status: 500, outcome: 'upstream_error', usageSource: 'not_metered' },
    ]);
    await store.close();

    const res = await cli(['report', '--db', file, '--since', '2026-11-01']);
    expect(res.out).toContain('upstream_error');
    expect(res.out).not.toMatch(/did not reach the provider \(1 upstream_error\)/);
  });
});

describe('keys', () => {
  it('refuses an unknown provider in --provider, as config check does for keys.<name>.providers', async () => {
    const db = path.join(dir(), 'k.db');
    expect((await cli(['keys', 'create', 'app', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'set', 'app', '--provider', 'opnai', '--db', db]);
    expect(res.code).toBe(2);
  });

  it('refuses an empty --budget (an unset shell variable) instead of creating a $0 hard cap', async () => {
    const res = await cli(['keys', 'create', 'app', '--budget', '', '--db', path.join(dir(), 'k.db')]);
    expect(res.code).toBe(2);
  });

  it('does not tell the user to revoke a key that is already revoked', async () => {
    const db = path.join(dir(), 'k.db');
    await cli(['keys', 'create', 'app', '--db', db]);
    expect((await cli(['keys', 'revoke', 'app', '--db', db])).code).toBe(0);
    const res = await cli(['keys', 'create', 'app', '--db', db]);
    expect(res.err).not.toContain('revoke it');
  });
});

describe('config check', () => {
  it('fails on a tls.cert file that serve cannot read (serve exits 2 on it)', async () => {
    writeFileSync(path.join(dir(), 'tokometer.yaml'), 'tls: { cert: ./nope.pem, key: ./nope.pem }\n');
    const res = await cli(['config', 'check']);
    expect(res.code).toBe(2);
  });

  it('fails on a listen.host that is no hostname or IP address, naming the field; serve --host likewise', async () => {
    writeFileSync(path.join(dir(), 'tokometer.yaml'), 'listen: { host: "not a host!!" }\n');
    const check = await cli(['config', 'check']);
    expect(check.code).toBe(2);
    expect(check.err).toContain('listen.host: "not a host!!" is not a hostname or IP address');
    rmSync(path.join(dir(), 'tokometer.yaml'));
    const serve = await cli(['serve', '--host', 'not a host!!']);
    expect(serve.code).toBe(2);
    expect(serve.err).toContain('--host expects a hostname or IP address');
  });

  it('does not promise a retention shorter than the 32 days serve keeps', async () => {
    writeFileSync(path.join(dir(), 'tokometer.yaml'), 'retention_days: 10\n');
    const res = await cli(['config', 'check']);
    expect(res.out).not.toContain('raw calls kept 10 days');
  });
});

describe('tag values from the X-Metering-Tags header in the table report', () => {
  it('never reach the terminal as raw control characters (escape sequences, newlines)', async () => {
    const file = path.join(dir(), 'calls.db');
    const store = createStore(openDriver(file));
    // The header value {"feature":"\u001b[2J\u001b[31mPWNED"} is accepted by the proxy and stored as is.
    store.insertCalls([record({ at: '2026-11-20T10:00:00Z', tags: { feature: '\u001b[2J\u001b[31mPWNED' } }), record({ at: '2026-11-20T10:00:00Z', tags: { feature: 'x\ny' } })]);
    await store.close();

    const res = await cli(['report', '--db', file, '--since', '2026-11-01', '--by', 'feature']);
    expect(res.code).toBe(0);
    expect(res.out).not.toContain('\u001b');
    expect(res.out.split('\n').some((line) => line.startsWith('y '))).toBe(false);
  });
});

describe('prices update --from a file', () => {
  it('exits 2 on a missing file, like other bad input, naming it', async () => {
    const res = await cli(['prices', 'update', '--from', './missing.json', '--db', path.join(dir(), 'p.db')]);
    expect(res.code).toBe(2);
    expect(res.err).toContain('price file not found: ./missing.json');
  });
});
