import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDriver } from '../../../src/store/drivers/better-sqlite3.js';
import { openPostgresDb } from '../../../src/store/drivers/postgres.js';
import { pgInListSql, pgLatencyHistConcatSql, pgTimeBucketSql } from '../../../src/store/pg/dialect-sql.js';
import { callsWithTagValuesSql, countDistinctTagSql, tagFilterSql, tagJoinSql, timeBucketSql as bucketSql } from '../../../src/store/read/dialect.js';
import type { SqlValue } from '../../../src/store/types.js';

const timeBucketSql = (unit: 'day' | 'week' | 'month', ms: string) => bucketSql('sqlite', unit, ms);

/** The PostgreSQL forms of the dialect-specific report SQL give what SQLite gives, on the same inputs. */
const pg = openPostgresDb(inject('pgUrl'));
const lite = openDriver(':memory:');
afterAll(async () => {
  await pg.close();
  lite.close();
});

const DAY = 86_400_000;
const instants = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
  fc.tuple(fc.integer({ min: 1, max: 50_000 }), fc.constantFrom(-1, 0, 1, DAY - 1)).map(([d, ms]) => d * DAY + ms),
);

describe('PostgreSQL dialect SQL', () => {
  for (const unit of ['day', 'week', 'month'] as const) {
    it(`${unit} bucket labels equal SQLite's for any instant`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(instants, { minLength: 50, maxLength: 200 }), async (ms) => {
          const values = ms.map((m) => `(${m})`).join(', ');
          const sqlite = lite.prepare(`SELECT ${timeBucketSql(unit, 'x')} AS b FROM (SELECT column1 AS x FROM (VALUES ${values}))`).all<{ b: string }>();
          const postgres = await pg.all<{ b: string }>(`SELECT ${pgTimeBucketSql(unit, 'x')} AS b FROM (VALUES ${values.replaceAll('(', '(').replaceAll(')', '::bigint)')}) AS v(x)`);
          expect(postgres.map((r) => r.b)).toEqual(sqlite.map((r) => r.b));
        }),
        { numRuns: 10 },
      );
    });
  }

  it('a list bound as one parameter matches text and numbers, IN and NOT IN', async () => {
    const names = pgInListSql('v', ['a', "it's", '(none)']);
    const rows = await pg.all<{ v: string }>(`SELECT v FROM (VALUES ('a'), ('b'), ('it''s'), ('(none)')) AS t(v) WHERE ${names.sql} ORDER BY v`, names.params);
    expect(rows.map((r) => r.v)).toEqual(['(none)', 'a', "it's"]);
    const notIn = pgInListSql('v', ['a'], true);
    expect((await pg.all<{ v: string }>(`SELECT v FROM (VALUES ('a'), ('b')) AS t(v) WHERE ${notIn.sql}`, notIn.params)).map((r) => r.v)).toEqual(['b']);
    const nums = pgInListSql('n', [1, 3]);
    expect((await pg.all<{ n: number }>(`SELECT n FROM (VALUES (1::bigint), (2), (3)) AS t(n) WHERE ${nums.sql} ORDER BY n`, nums.params)).map((r) => r.n)).toEqual([1, 3]);
  });

  it('histogram texts of a group join into one text, empty ones skipped', async () => {
    const row = await pg.get<{ h: string }>(`SELECT ${pgLatencyHistConcatSql('h')} AS h FROM (VALUES ('[1,2]'), ('[]'), ('[5,1,7,3]')) AS t(h)`);
    expect(JSON.parse(row!.h)).toEqual(expect.arrayContaining([1, 2, 5, 1, 7, 3]));
    expect(JSON.parse(row!.h)).toHaveLength(6);
    expect((await pg.get<{ h: string }>(`SELECT ${pgLatencyHistConcatSql('h')} AS h FROM (VALUES ('[]')) AS t(h)`))?.h).toBe('[]');
  });

  it("tag joins, tag filters, distinct tag counts and the calls of listed values give the same calls on both: calls.tags and the entity keys' postings on SQLite, calls.tags on PostgreSQL", async () => {
    lite.exec(`CREATE TABLE calls (id INTEGER PRIMARY KEY, tags TEXT NOT NULL);
      CREATE TABLE call_postings (key TEXT NOT NULL, value TEXT NOT NULL, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL, ids TEXT NOT NULL, PRIMARY KEY (key, value, first_id)) WITHOUT ROWID`);
    const keys = ['team', 'user_id', 'odd key', "it's"];
    const values = fc.constantFrom('a', 'b', '', '(none)', 'välue "q"', "it's", 'x\\y');
    const callTags = fc.dictionary(fc.constantFrom(...keys), values, { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(fc.array(callTags, { minLength: 1, maxLength: 30 }), fc.constantFrom(...keys), values, fc.constantFrom<'=' | '!='>('=', '!='), fc.boolean(), fc.integer({ min: 1, max: 7 }), async (calls, key, value, op, none, batch) => {
        lite.exec('DELETE FROM calls; DELETE FROM call_postings');
        calls.forEach((tags, id) => lite.prepare('INSERT INTO calls (id, tags) VALUES (?, ?)').run(id, JSON.stringify(tags)));
        // As the SQLite writer does since v12: postings only for the keys never rolled up (of these, user_id), one per value and batch.
        for (let first = 0; first < calls.length; first += batch) {
          const posted = new Map<string, number[]>();
          for (let id = first; id < Math.min(calls.length, first + batch); id++) {
            const user = calls[id]!.user_id;
            if (user !== undefined) posted.set(user, [...(posted.get(user) ?? []), id]);
          }
          for (const [v, ids] of posted) lite.prepare('INSERT INTO call_postings VALUES (?, ?, ?, ?, ?)').run('user_id', v, ids[0]!, ids.at(-1)!, JSON.stringify(ids));
        }
        const rows = calls.map((tags, id) => `(${id}, '${JSON.stringify(tags).replaceAll("'", "''")}')`).join(', ');
        const both = async (sqlOf: (dialect: 'sqlite' | 'postgres') => { sql: string; params: SqlValue[] }) => {
          const l = sqlOf('sqlite');
          const p = sqlOf('postgres');
          const fromLite = lite.prepare(l.sql).all<Record<string, unknown>>(...l.params);
          const fromPg = await pg.all<Record<string, unknown>>(p.sql.replace('FROM calls c', `FROM (VALUES ${rows}) AS c(id, tags)`), p.params);
          return [fromLite, fromPg.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && k === 'id' ? Number(v) : v])))];
        };
        const filter = (d: 'sqlite' | 'postgres') => {
          const f = tagFilterSql(d, key, op, none ? null : value);
          return { sql: `SELECT c.id AS id FROM calls c WHERE ${f.sql} ORDER BY c.id`, params: f.params };
        };
        const [fl, fp] = await both(filter);
        expect(fp).toEqual(fl);
        const join = (kind: 'left' | 'inner') => (d: 'sqlite' | 'postgres') => {
          const j = tagJoinSql(d, 't', key, kind);
          return { sql: `SELECT c.id AS id, t.value AS value FROM calls c ${j.sql} ORDER BY c.id`, params: j.params };
        };
        for (const kind of ['left', 'inner'] as const) {
          const [jl, jp] = await both(join(kind));
          expect(jp).toEqual(jl);
        }
        const distinct = (d: 'sqlite' | 'postgres') => countDistinctTagSql(d, key, { sql: 'WHERE c.id >= ?', params: [1] });
        const [dl, dp] = await both(distinct);
        expect(dp!.map((r) => Number(r.n))).toEqual(dl!.map((r) => Number(r.n)));
        const listed = (d: 'sqlite' | 'postgres') => {
          const f = callsWithTagValuesSql(d, 'u', key, [value, 'a']);
          return { sql: `SELECT c.id AS id, u.value AS value FROM ${f.sql} AND c.id >= ? ORDER BY c.id`, params: [...f.params, 1] };
        };
        const [ll, lp] = await both(listed);
        expect(lp).toEqual(ll);
        if (key === 'user_id') expect(ll).toEqual(calls.flatMap((t, id) => (id >= 1 && (t.user_id === value || t.user_id === 'a') ? [{ id, value: t.user_id }] : [])));
      }),
      { numRuns: 60 },
    );
  });
});
