import { UsageError } from '../lib/errors.js';
import type { OutgoingResponse } from '../proxy/types.js';
import { reportToJson } from '../report/format/json.js';
import { emptyMessage } from '../report/format/table.js';
import { spendReport, validateQuery } from '../report/query.js';
import type { ReportQuery } from '../report/types.js';
import { parseWhere } from '../report/where.js';
import { unitEconomics } from '../report/unit-economics.js';
import { reportWindow } from '../report/window.js';
import type { AdminDeps } from './deps.js';
import { badRequest, json } from './http.js';

const truthy = (v: string | null) => v === '1' || v === 'true';

function reportQuery(deps: AdminDeps, q: URLSearchParams): ReportQuery {
  const { previous, untilAsGiven, soFar, ...range } = reportWindow({ since: q.get('since') ?? undefined, until: q.get('until') ?? undefined }, {
    clock: deps.clock,
    timeZone: deps.timeZone,
    names: { since: 'since', until: 'until' },
  });
  const by = (q.get('by') ?? 'model').split(',').map((d) => d.trim());
  if (by.some((d) => d === '')) throw new UsageError(`by "${q.get('by')}" needs one or two comma-separated dimensions, e.g. by=feature.`);
  const top = q.get('top');
  if (top !== null && !/^[1-9]\d*$/.test(top)) throw new UsageError(`top "${top}" must be a whole number ≥ 1.`);
  const compare = q.get('compare');
  if (compare !== null && compare !== 'previous') throw new UsageError(`compare "${compare}" is not supported; use compare=previous.`);
  return {
    ...range,
    by,
    where: q.getAll('where').map((w) => parseWhere(w, 'where')),
    timeZone: deps.timeZone,
    ...(q.get('key') !== null ? { keyName: q.get('key')! } : {}),
    ...(top !== null ? { top: Number(top) } : {}),
    ...(compare === 'previous' ? { compare: 'previous' as const, previousWindow: previous } : {}),
    ...(soFar ? { soFar } : {}),
    ...(untilAsGiven !== undefined ? { untilAsGiven } : {}),
  };
}

/**
 * `GET /admin/spend?by=feature&since=30d[&until][&where=k=v…][&key][&top][&compare=previous][&unit_economics=1]`:
 * the document `tokometer report --format json` prints, from the same queries (pending
 * call records are written first, awaited, so the answer includes calls that just finished).
 */
export async function spend(deps: AdminDeps, q: URLSearchParams): Promise<OutgoingResponse> {
  let query: ReportQuery;
  try {
    query = reportQuery(deps, q);
    // Named as this API's query parameters (spendReport would name the CLI's flags).
    validateQuery(query, { by: 'by', where: 'where', top: 'top', since: 'since', until: 'until' });
    await deps.flush?.();
    const report = await spendReport(deps.reports, query);
    const ue = truthy(q.get('unit_economics'))
      ? await unitEconomics(deps.reports, { since: query.since, until: query.until, timeZone: query.timeZone, where: query.where, keyName: query.keyName }, deps.economics)
      : undefined;
    const empty = report.total.calls === 0;
    return json(200, reportToJson(report, { ...(ue ? { unitEconomics: ue } : {}), ...(empty ? { message: emptyMessage(report) } : {}) }));
  } catch (error) {
    if (error instanceof UsageError) throw badRequest('invalid_query', error.message);
    throw error;
  }
}
