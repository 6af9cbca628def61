import { compareUtf8 } from '../../lib/byte-order.js';
import type { Db } from '../db.js';
import { unpricedSql, untokenedSpeechSql } from '../unpriced.js';

/** A model recorded without a price, with how many of its calls are unpriced. */
export interface UnpricedModelCount {
  provider: string;
  /** Model as answered, else as requested, else `(unknown)` (as the report's unpriced footer names it). */
  model: string;
  calls: number;
  /** Set (true) when some of these calls are speech calls recorded without tokens (billed per input character: unpriced.ts untokenedSpeechSql); absent otherwise. */
  speechWithoutTokens?: true;
}

/**
 * Every provider and model with unpriced calls in the call log (unpriced.ts: the same
 * rule as the report's unpriced counts and footer), most calls first, then by provider
 * and model (UTF-8 order). What `tokometer prices unpriced` lists.
 */
export async function unpricedModels(db: Db): Promise<UnpricedModelCount[]> {
  const rows = await db.all<{ provider: string; model: string; calls: number; speech: number }>(
    `SELECT c.provider AS provider, COALESCE(c.model, c.model_requested, '(unknown)') AS model, COUNT(*) AS calls,
       MAX(CASE WHEN ${untokenedSpeechSql('c')} THEN 1 ELSE 0 END) AS speech
     FROM calls c WHERE ${unpricedSql('c')} GROUP BY 1, 2`,
  );
  return rows
    .map((r): UnpricedModelCount => ({ provider: r.provider, model: r.model, calls: Number(r.calls), ...(Number(r.speech) === 1 ? { speechWithoutTokens: true } : {}) }))
    .sort((a, b) => b.calls - a.calls || compareUtf8(a.provider, b.provider) || compareUtf8(a.model, b.model));
}
