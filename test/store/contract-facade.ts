import assert from 'node:assert/strict';
import type { CallRow } from '../../src/store/call-row.js';
import { rowToCall } from '../../src/store/call-row-reader.js';
import { InvalidCallRecordError } from '../../src/store/call-row.js';
import { KeyExistsError } from '../../src/store/keys.js';
import type { Store } from '../../src/store/facade.js';
import type { CallRecord, SqlValue } from '../../src/store/types.js';
import { tagRowsSql } from '../support/tag-rows.js';
import { makeCall, rejected } from './fixtures.js';

/**
 * The Store facade contract: what every store answers alike, on SQLite (each driver, see
 * contract.ts) and on PostgreSQL (pg/store-contract.test.ts). SQL in the cases is what
 * both dialects accept.
 */

/** A store under test, with its dialect's hot-path call writer and raw SQL for checks. */
export interface ContractStore extends Store {
  insertCalls(records: readonly CallRecord[]): Promise<void>;
  rows<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs statements that return nothing (several, separated by semicolons, without parameters). */
  exec(sql: string): Promise<void>;
}

/** Where a case runs: every `open` is another connection to the case's own, initially empty database. */
export interface StoreEnv {
  readonly dialect: 'sqlite' | 'postgres';
  open(access?: 'create' | 'read'): Promise<ContractStore>;
}

export interface FacadeCase {
  name: string;
  run(env: StoreEnv): Promise<void>;
}

const readCalls = async (s: ContractStore) => (await s.rows<CallRow>('SELECT * FROM calls ORDER BY id')).map(rowToCall);
const count = async (s: ContractStore, table: string) => Number((await s.rows<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
const countTags = async (env: StoreEnv, s: ContractStore) => Number((await s.rows<{ n: number }>(`SELECT count(*) AS n FROM (${tagRowsSql(env.dialect)}) AS x`))[0]!.n);

/** A case on a store that `env` opens first (the case may open more from `env`), closed when `run` has passed. */
export function storeCase(name: string, run: (s: ContractStore, env: StoreEnv) => Promise<void>): FacadeCase {
  return {
    name,
    async run(env) {
      const s = await env.open();
      await run(s, env);
      await s.close();
    },
  };
}

export const facadeStoreCases: FacadeCase[] = [
  storeCase('insertCalls round-trips every field, null usage/cost, and the tags reads see', async (s, env) => {
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
          inputTokens: 10, outputTokens: 20, cacheReadTokens: 2, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0,
          reasoningTokens: 0, inputAudioTokens: 3, outputAudioTokens: 4, serviceTier: 'flex',
          cacheAudioReadTokens: 2, outputImageTokens: 5, webSearches: 2, fileSearches: 3, inferenceGeo: 'us', speed: 'fast',
        },
        costNano: 0,
        providerCostNano: 9_000_000_001,
        tags: { 'odd key': 'välue "quoted"', feature: 'x' },
      }),
    ];
    await s.insertCalls(records);
    assert.deepEqual(await readCalls(s), records);
    const tags = await s.rows(`${tagRowsSql(env.dialect)} ORDER BY c.ts, t.key`);
    assert.deepEqual(tags, [
      { ts: records[0]!.ts, key: 'env', value: 'prod' },
      { ts: records[0]!.ts, key: 'team', value: 'search' },
      { ts: records[2]!.ts, key: 'feature', value: 'x' },
      { ts: records[2]!.ts, key: 'odd key', value: 'välue "quoted"' },
    ]);
  }),
  storeCase("usage.providerCostNano is stored as provider_cost_nano when the record's own is null", async (s) => {
    const base = makeCall(0);
    await s.insertCalls([{ ...base, providerCostNano: null, usage: { ...base.usage!, providerCostNano: 777 } }]);
    assert.equal((await readCalls(s))[0]!.providerCostNano, 777);
  }),
  storeCase('a batch of 5000 is written whole; a bad record rolls the whole batch back', async (s, env) => {
    await s.insertCalls(Array.from({ length: 5000 }, (_, i) => makeCall(i)));
    assert.equal(await count(s, 'calls'), 5000);
    assert.equal(await countTags(env, s), 10_000);
    const bad = Array.from({ length: 100 }, (_, i) => makeCall(i));
    bad[50] = { ...makeCall(50), provider: undefined as unknown as string };
    assert.ok((await rejected(s.insertCalls(bad))) instanceof InvalidCallRecordError);
    assert.equal(await count(s, 'calls'), 5000);
    assert.equal(await countTags(env, s), 10_000);
  }),
  storeCase('keys: create, get by name/hash, list, update, revoke', async (s) => {
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
  }),
  storeCase('meta.changeToken moves with every committed change to keys, budget resets and the key history, by any connection, and not with calls', async (reader, env) => {
    const writer = await env.open();
    const moved = async (change: () => Promise<unknown>) => {
      const before = await reader.meta.changeToken();
      await change();
      return (await reader.meta.changeToken()) !== before;
    };
    assert.equal(await moved(async () => {}), false);
    assert.equal(await moved(() => writer.keys.create({ name: 'k', prefix: 'p', hash: 'h', createdAt: 1 })), true);
    assert.equal(await moved(() => writer.keys.revoke('k', 2)), true);
    assert.equal(await moved(() => writer.history.append({ ts: 3, actor: 'cli', action: 'revoke', keyName: 'k', details: {} })), true);
    assert.equal(await moved(() => writer.budgets.recordReset({ kind: 'tag', budget: 'daily', tagValue: null, allValues: true, period: 'day', periodStart: 0, resetAt: 4, by: 'admin' })), true);
    // Its own changes count too: the token is a counter, not "another connection committed".
    assert.equal(await moved(() => reader.keys.create({ name: 'own', prefix: 'p', hash: 'own', createdAt: 5 })), true);
    // Calls do not move it: serve's key watch would otherwise reload every key after each write of calls.
    assert.equal(await moved(() => writer.insertCalls([makeCall(1)])), false);
    await writer.close();
  }),
  storeCase('a store opened to read reads what another wrote, and cannot write', async (rw, env) => {
    await rw.insertCalls([makeCall(1)]);
    await rw.keys.create({ name: 'k', prefix: 'p', hash: 'h', createdAt: 1 });
    const ro = await env.open('read');
    assert.equal((await readCalls(ro)).length, 1);
    assert.deepEqual((await ro.keys.list()).map((k) => k.name), ['k']);
    assert.ok(await rejected(ro.keys.create({ name: 'x', prefix: 'p', hash: 'x', createdAt: 1 })));
    await rw.insertCalls([makeCall(2)]);
    assert.equal((await readCalls(ro)).length, 2);
    await ro.close();
  }),
];
