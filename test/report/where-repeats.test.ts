import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStore } from '../tui/fixtures.js';
import { checkWhereRepeats } from './where-repeat-cases.js';
import { reportJson, report, windowsDb } from './windows-harness.js';

/** Repeating --where on one key keeps calls with any of the values (SQLite; pg-where-repeats.test.ts: PostgreSQL). */

const db = windowsDb();
afterAll(() => rmSync(path.dirname(db), { recursive: true, force: true }));
const since = ['--since', '2026-11-01'];

describe('report --where repeated on one key', () => {
  it('keeps the calls with any of the values, the header saying so', async () => {
    const doc = await reportJson(db, [...since, '--by', 'user_id', '--where', 'user_id=u1', '--where', 'user_id=u2']);
    expect(doc.total.cost_usd).toBe(5);
    expect(doc.rows.map((r: { group: { user_id: string } }) => r.group.user_id).sort()).toEqual(['u1', 'u2']);
    const { out } = await report(db, [...since, '--where', 'user_id=u1', '--where', 'user_id=u2', '--where', 'feature=a']);
    expect(out.split('\n')[0]).toMatch(/ · user_id=u1\|u2, feature=a$/);
  });

  it('!= repeats keep the calls with none of the values', async () => {
    expect((await reportJson(db, [...since, '--where', 'user_id!=u1', '--where', 'user_id!=u2'])).total.cost_usd).toBe(4);
    const { out } = await report(db, [...since, '--where', 'user_id!=u1', '--where', 'user_id!=u2']);
    expect(out.split('\n')[0]).toMatch(/ · user_id!=u1\|u2$/);
  });

  it('report --help says how repeats combine', async () => {
    const { Command } = await import('commander');
    const { registerReportCommand } = await import('../../src/cli/report.js');
    const program = new Command('tokometer');
    registerReportCommand(program, {} as never);
    const help = program.commands[0]!.helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('repeats of one key keep any of its values (k!=v repeats: none of them)');
  });

  it('rollups and raw rows agree on SQLite', async () => {
    const store = readStore(db);
    try {
      await checkWhereRepeats(store);
    } finally {
      store.close();
    }
  });
});
