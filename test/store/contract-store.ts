import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { InvalidCallRecordError } from '../../src/store/call-row.js';
import { SchemaVersionError } from '../../src/store/migrations/index.js';
import { KeyExistsError } from '../../src/store/keys.js';
import type { CallRecord } from '../../src/store/types.js';
import { count, dbPath, makeCall, openStore, pragma, readCalls, rejected, thrown, type ContractCase } from './fixtures.js';

export const storeCases: ContractCase[] = [
  {
    name: 'WAL, synchronous=NORMAL, busy_timeout and foreign_keys are set',
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      assert.equal(pragma(s.driver, 'journal_mode'), 'wal');
      assert.equal(pragma(s.driver, 'synchronous'), 1);
      assert.equal(pragma(s.driver, 'busy_timeout'), 5000);
      assert.equal(pragma(s.driver, 'foreign_keys'), 1);
      await s.close();
    },
  },
  {
    name: 'new database file (and its WAL) get mode 0600',
    async run(open, tmp) {
      if (process.platform === 'win32') return;
      const s = openStore(open, dbPath(tmp));
      s.insertCalls([makeCall(1)]);
      assert.equal(statSync(dbPath(tmp)).mode & 0o777, 0o600);
      const wal = `${dbPath(tmp)}-wal`;
      if (existsSync(wal)) assert.equal(statSync(wal).mode & 0o777, 0o600);
      await s.close();
    },
  },
  {
    name: 'insertCalls round-trips every field, null usage/cost, and call_tags rows',
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      const records: CallRecord[] = [
        makeCall(0),
        makeCall(1, {
          keyName: null,
          modelRequested: null,
          model: null,
          status: 0,
          outcome: 'refused',
          usage: null,
          usageSource: 'unknown',
          costNano: null,
          priceSource: null,
          ttfbMs: null,
          tags: {},
          requestHash: null,
          maxOutputTokens: null,
          error: 'budget exceeded',
        }),
        makeCall(2, {
          usage: {
            inputTokens: 10, outputTokens: 20, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0,
            reasoningTokens: 0, inputAudioTokens: 3, outputAudioTokens: 4, serviceTier: 'flex',
          },
          costNano: 0,
          providerCostNano: 9_000_000_001,
          tags: { 'odd key': 'välue "quoted"', feature: 'x' },
        }),
      ];
      s.insertCalls(records);
      assert.deepEqual(readCalls(s.driver), records);
      const tags = s.driver.prepare('SELECT call_id, key, value FROM call_tags ORDER BY call_id, key').all();
      assert.deepEqual(tags, [
        { call_id: 1, key: 'env', value: 'prod' },
        { call_id: 1, key: 'team', value: 'search' },
        { call_id: 3, key: 'feature', value: 'x' },
        { call_id: 3, key: 'odd key', value: 'välue "quoted"' },
      ]);
      await s.close();
    },
  },
  {
    name: "usage.providerCostNano is stored as provider_cost_nano when the record's own is null",
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      const base = makeCall(0);
      s.insertCalls([{ ...base, providerCostNano: null, usage: { ...base.usage!, providerCostNano: 777 } }]);
      assert.equal(readCalls(s.driver)[0]!.providerCostNano, 777);
      await s.close();
    },
  },
  {
    name: 'a batch of 5000 is written whole; a bad record rolls the whole batch back',
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      s.insertCalls(Array.from({ length: 5000 }, (_, i) => makeCall(i)));
      assert.equal(count(s.driver, 'calls'), 5000);
      assert.equal(count(s.driver, 'call_tags'), 10_000);
      const bad = Array.from({ length: 100 }, (_, i) => makeCall(i));
      bad[50] = { ...makeCall(50), provider: undefined as unknown as string };
      assert.ok(thrown(() => s.insertCalls(bad)) instanceof InvalidCallRecordError);
      assert.equal(count(s.driver, 'calls'), 5000);
      assert.equal(count(s.driver, 'call_tags'), 10_000);
      await s.close();
    },
  },
  {
    name: 'keys: create, get by name/hash, list, update, revoke',
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      const budget = { limitNano: 50_000_000_000, period: 'month' as const, alertAt: [0.5, 0.8, 1], soft: false };
      const a = await s.keys.create({ name: 'a', prefix: 'mk_Ab12', hash: 'h'.repeat(64), tags: { team: 'x' }, budget, createdAt: 10 });
      assert.deepEqual(a, {
        id: a.id, name: 'a', prefix: 'mk_Ab12', hash: 'h'.repeat(64), tags: { team: 'x' },
        providers: [], models: [], budget, createdAt: 10, revokedAt: null,
      });
      const b = await s.keys.create({ name: 'b', prefix: 'mk_Cd34', hash: 'g'.repeat(64), providers: ['openai'], models: ['gpt-4o'], createdAt: 11 });
      assert.equal(b.budget, null);
      assert.ok((await rejected(s.keys.create({ name: 'a', prefix: 'p', hash: 'other', createdAt: 1 }))) instanceof KeyExistsError);
      assert.ok((await rejected(s.keys.create({ name: 'c', prefix: 'p', hash: 'g'.repeat(64), createdAt: 1 }))) instanceof KeyExistsError);
      assert.deepEqual(await s.keys.byHash('g'.repeat(64)), b);
      assert.deepEqual(await s.keys.byName('a'), a);
      assert.equal(await s.keys.byName('zzz'), undefined);
      assert.equal(await s.keys.byHash('zzz'), undefined);

      const updated = await s.keys.update('a', { tags: { team: 'y' }, models: ['m1'] });
      assert.deepEqual(updated, { ...a, tags: { team: 'y' }, models: ['m1'] });
      assert.deepEqual(await s.keys.update('a', { budget: null }), { ...a, tags: { team: 'y' }, models: ['m1'], budget: null });
      assert.deepEqual((await s.keys.update('a', { budget }))?.budget, budget);
      assert.deepEqual(await s.keys.update('a', {}), { ...a, tags: { team: 'y' }, models: ['m1'] });
      assert.equal(await s.keys.update('zzz', { tags: {} }), undefined);
      assert.equal(await s.keys.update('zzz', {}), undefined);

      assert.equal(await s.keys.revoke('b', 99), true);
      assert.equal(await s.keys.revoke('b', 100), false);
      assert.equal(await s.keys.revoke('zzz', 100), false);
      assert.deepEqual((await s.keys.list()).map((k) => k.name), ['a']);
      assert.deepEqual((await s.keys.list({ includeRevoked: true })).map((k) => [k.name, k.revokedAt]), [['a', null], ['b', 99]]);
      assert.equal((await s.keys.byHash('g'.repeat(64)))?.revokedAt, 99);
      await s.close();
    },
  },
  {
    name: 'meta.changeToken changes after another connection commits, not after its own',
    async run(open, tmp) {
      const reader = openStore(open, dbPath(tmp));
      const writer = openStore(open, dbPath(tmp));
      const v1 = await reader.meta.changeToken();
      assert.equal(await reader.meta.changeToken(), v1);
      await reader.keys.create({ name: 'own', prefix: 'p', hash: 'own', createdAt: 1 });
      assert.equal(await reader.meta.changeToken(), v1);
      writer.insertCalls([makeCall(1)]);
      const v2 = await reader.meta.changeToken();
      assert.notEqual(v2, v1);
      await writer.keys.create({ name: 'k', prefix: 'p', hash: 'h', createdAt: 1 });
      assert.notEqual(await reader.meta.changeToken(), v2);
      await reader.close();
      await writer.close();
    },
  },
  {
    name: 'read-only open reads but cannot write, and never creates or migrates',
    async run(open, tmp) {
      assert.ok(thrown(() => open(dbPath(tmp, 'missing.db'), { readonly: true })));
      assert.equal(existsSync(dbPath(tmp, 'missing.db')), false);

      const fresh = open(dbPath(tmp, 'fresh.db'));
      fresh.close();
      assert.ok(thrown(() => openStore(open, dbPath(tmp, 'fresh.db'), true)) instanceof SchemaVersionError);

      // The writer is closed first: a read-only connection must also open a WAL database alone.
      const rw = openStore(open, dbPath(tmp));
      rw.insertCalls([makeCall(1)]);
      await rw.close();
      const ro = openStore(open, dbPath(tmp), true);
      assert.equal(readCalls(ro.driver).length, 1);
      assert.ok(thrown(() => ro.insertCalls([makeCall(2)])));
      assert.ok(thrown(() => ro.driver.exec('DELETE FROM calls')));
      assert.ok(await rejected(ro.keys.create({ name: 'k', prefix: 'p', hash: 'h', createdAt: 1 })));
      const rw2 = openStore(open, dbPath(tmp));
      assert.equal(readCalls(ro.driver).length, 1);
      rw2.insertCalls([makeCall(3)]);
      assert.equal(readCalls(ro.driver).length, 2);
      await ro.close();
      await rw2.close();
    },
  },
  {
    name: 'transaction rolls back and rethrows when fn throws; returns fn result otherwise',
    async run(open, tmp) {
      const s = openStore(open, dbPath(tmp));
      const boom = new Error('boom');
      const err = thrown(() =>
        s.driver.transaction(() => {
          s.insertCalls([makeCall(1)]);
          s.driver.exec("INSERT INTO keys (name, prefix, hash, created_at) VALUES ('k', 'p', 'h', 1)");
          throw boom;
        }),
      );
      assert.equal(err, boom);
      assert.equal(count(s.driver, 'calls'), 0);
      assert.equal(count(s.driver, 'call_tags'), 0);
      assert.equal(count(s.driver, 'keys'), 0);
      assert.equal(s.driver.transaction(() => 42), 42);
      await s.close();
    },
  },
  {
    name: 'prepared statements: run/get/all with positional params; get on no row is undefined',
    run(open, tmp) {
      const d = open(dbPath(tmp));
      d.exec('CREATE TABLE t (a INTEGER, b TEXT, c BLOB); CREATE TABLE u (x INTEGER);');
      const ins = d.prepare('INSERT INTO t (a, b, c) VALUES (?, ?, ?)');
      const r = ins.run(1, 'x', new Uint8Array([1, 2]));
      assert.equal(r.changes, 1);
      assert.equal(Number(r.lastInsertRowid), 1);
      ins.run(2, null, null);
      assert.equal(d.prepare('SELECT a FROM t WHERE a = ?').get(3), undefined);
      assert.deepEqual(d.prepare('SELECT a, b FROM t ORDER BY a').all(), [{ a: 1, b: 'x' }, { a: 2, b: null }]);
      assert.deepEqual([...(d.prepare('SELECT c FROM t WHERE a = 1').get<{ c: Uint8Array }>()!.c)], [1, 2]);
      d.close();
    },
  },
];
