import type { Db } from '../db.js';
import type { OutputMaximumRow } from '../types.js';

export type { OutputMaximumRow } from '../types.js';


const DAY_MS = 86_400_000;

/**
 * The largest provider-reported output (tokens, reasoning included) per metering key,
 * requested model and UTC day, of the calls since `since` (ms) that set no max output
 * (a capped output says nothing about an uncapped one): what the budget gate's
 * output history (budget/output-history.ts) is seeded with at start, so estimates of calls
 * without max_tokens are tight from the first call after a restart. The history keeps one
 * answer's output and a row does not say how many answers (`n`) it summed, so a key's
 * `n` > 1 calls seed it high: estimates err on the safe side until the window passes. Estimated or unknown
 * usage is left out. Plain SQL both dialects accept (integer division of the ms column).
 */
export async function readOutputMaxima(db: Db, since: number): Promise<OutputMaximumRow[]> {
  const rows = await db.all<{ key_name: string; model: string; day: number | string; max_output: number | string }>(
    `SELECT key_name, model_requested AS model, ts / ${DAY_MS} AS day, MAX(output_tokens) AS max_output
       FROM calls
      WHERE ts >= ? AND key_name IS NOT NULL AND model_requested IS NOT NULL AND output_tokens IS NOT NULL
        AND usage_source = 'reported' AND max_output_tokens IS NULL
      GROUP BY key_name, model_requested, ts / ${DAY_MS}`,
    [since],
  );
  return rows.map((r) => ({ keyName: r.key_name, model: r.model, day: Number(r.day), maxOutputTokens: Number(r.max_output) }));
}
