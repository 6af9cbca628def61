import { runAudit } from '../../src/audit/runner.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { reportToJson } from '../../src/report/format/json.js';
import { spendReport } from '../../src/report/query.js';
import { unitEconomics } from '../../src/report/unit-economics.js';
import type { Store } from '../../src/store/facade.js';
import { SPAN, T0, type QueryShape } from './rollup-arbitraries.js';

/**
 * What `report` (with --compare and --top), `--unit-economics` and `audit` show for one
 * query shape, read from one store: compared between stores given the same calls
 * (SQLite and PostgreSQL; a PostgreSQL database before and after a migration).
 */

const ECONOMICS = { price_per_user: { free: 0, pro: 29 }, price_per_tenant: { t1: 500, t2: 50 } };
const pricer = createPricer();

export async function answers(store: Store, q: QueryShape) {
  const range = { since: q.since, until: q.until, timeZone: q.zone };
  const report = await spendReport(store.reports, { ...range, by: q.by, where: q.where, ...(q.top !== undefined ? { top: q.top } : {}), compare: 'previous' });
  const economics = await unitEconomics(store.reports, { ...range, where: q.where }, ECONOMICS);
  const audit = await runAudit({
    store,
    pricer,
    since: q.since,
    until: q.until,
    now: T0 + SPAN,
    timeZone: q.zone,
    where: q.where,
    keyBudgets: [{ name: 'app', budget: { limitNano: 5_000_000_000, period: 'month', alertAt: [0.8], soft: false } }],
    tagBudgets: [],
    batchTags: [],
    minSavingPerMonthNano: 0,
  });
  return { report: reportToJson(report), economics, audit };
}
