import { afterAll, describe, expect, it } from 'vitest';
import { emptyMessage } from '../../src/report/format/table.js';
import { spendReport, validateQuery } from '../../src/report/query.js';
import type { ReportQuery } from '../../src/report/types.js';
import { parseWhere } from '../../src/report/where.js';
import { USD, buildDb } from './dataset.js';

/**
 * SPEC §4 accepts any tag key matching [A-Za-z0-9_.:-]{1,64}, so `model`, `outcome`, `day`
 * are tag keys a call may carry; in reports those names are the built-in dimensions. The
 * rule: `tag:NAME` always names the tag NAME (`--by tag:model`, `--where tag:outcome=great`),
 * so every accepted call's tags stay reachable, and the messages that meet a built-in name
 * point to that form.
 */
const db = buildDb([
  { at: '2026-11-02T10:00:00Z', cost: 4 * USD, model: 'gpt-4o', tags: { model: 'x', outcome: 'great', status: 'fine', day: 'monday' } },
  { at: '2026-11-02T10:00:00Z', cost: 2 * USD, model: 'gpt-4o', tags: { model: 'y', feature: 'chat' } },
  { at: '2026-11-02T10:00:00Z', cost: 1 * USD, model: 'gpt-4o-mini', tags: { feature: 'chat' } },
]);
afterAll(() => db.close());

const NOVEMBER = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), timeZone: 'UTC' };
const q = (by: string[], where: string[] = []): ReportQuery => ({ ...NOVEMBER, by, where: where.map((w) => parseWhere(w, '--where')) });

describe('tag keys named like built-in dimensions', () => {
  it('--by tag:model groups by the tag; --by model stays the built-in', async () => {
    const tag = await spendReport(db.reads, q(['tag:model']));
    expect(tag.rows.map((r) => [r.group['tag:model'], r.costNano])).toEqual([
      ['x', 4 * USD],
      ['y', 2 * USD],
      ['(none)', 1 * USD],
    ]);
    const builtin = await spendReport(db.reads, q(['model']));
    expect(builtin.rows.map((r) => r.group.model)).toEqual(['gpt-4o', 'gpt-4o-mini']);
  });

  it('--where tag:outcome=great, tag:status=fine and tag:day=monday filter on the tags', async () => {
    for (const w of ['tag:outcome=great', 'tag:status=fine', 'tag:day=monday', 'tag:model=x']) {
      expect((await spendReport(db.reads, q([], [w]))).total).toMatchObject({ calls: 1, costNano: 4 * USD });
    }
    expect((await spendReport(db.reads, q(['tag:day'], ['tag:model!=x']))).rows.map((r) => r.group['tag:day'])).toEqual(['(none)']);
    // A tag key that is not a built-in's name reads the same with or without the prefix.
    expect((await spendReport(db.reads, q([], ['tag:feature=chat']))).total.calls).toBe(2);
  });

  it('--where day=monday is refused with a message naming tag:day', () => {
    expect(() => validateQuery(q([], ['day=monday']))).toThrow('--where cannot filter on "day"; use --since and --until (a tag named day is --where tag:day=…).');
  });

  it('no call for --where outcome=great: the message points to tag:outcome', async () => {
    const r = await spendReport(db.reads, q([], ['outcome=great']));
    expect(r.total.calls).toBe(0);
    expect(emptyMessage(r)).toContain('`outcome` is the built-in dimension; a tag of that name is `--where tag:outcome=…`.');
  });
});
