import { describe, expect, it } from 'vitest';
import { pgDatabases } from '../support/pg-databases.js';
import { proxySuite } from './proxy-suite.js';
import { raiseOnTwoReplicas } from './rearm-once.js';

const pg = pgDatabases();

/**
 * A new user's trial: with two serve replicas on one PostgreSQL database, raising a key
 * budget whose alerts had fired listed `proxy alerts_rearmed` twice in `tokometer keys
 * history`: each replica wrote its own row for the one change.
 */
describe('a raised key budget on two replicas sharing PostgreSQL', () => {
  const suite = proxySuite({ scope: 'test' });

  it('writes its alerts_rearmed row once', async () => {
    const url = await pg.url('rearm_once');
    const a = await suite.startOnPostgres(url);
    const b = await suite.startOnPostgres(url);
    expect(await raiseOnTwoReplicas(a, b, { together: true })).toEqual(['cli set', 'proxy alerts_rearmed']);
  }, 60_000);

  it('writes a row for each raise, also the same raise again after the limit was lowered back', async () => {
    const url = await pg.url('rearm_twice');
    const a = await suite.startOnPostgres(url);
    const b = await suite.startOnPostgres(url);
    expect(await raiseOnTwoReplicas(a, b, { raises: 2, together: true })).toEqual(['cli set', 'proxy alerts_rearmed', 'cli set', 'cli set', 'proxy alerts_rearmed']);
  }, 60_000);
});
