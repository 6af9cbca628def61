import { describe, expect, it } from 'vitest';
import { renderAuditTable } from '../../src/audit/format/table.js';
import { MINUTE, SINCE, audit, many } from './helpers.js';

/**
 * The audit table wraps each finding's scope, evidence, fix and confidence to 100 terminal
 * columns under a 15-column label. Fix texts name the feature: a feature named in
 * Japanese is two columns per character, so a wrap that counts code points lets such a
 * line run past 100 columns (and the terminal wraps it again, under no label).
 */
const FEATURE = '東京の要約サービス';

/** Terminal columns of the text here: kana and CJK ideographs are two wide, everything else one. */
const columns = (s: string) => [...s].reduce((n, ch) => n + (/[\u3040-\u30ff\u4e00-\u9fff]/u.test(ch) ? 2 : 1), 0);

describe('audit table with wide characters in a feature name', () => {
  it('wraps the fix by terminal columns, keeping every line within 100', async () => {
    // 20 distinct requests, each sent 3 times an hour apart: the caching detector names the feature in its fix.
    const report = await audit(many(60, (i) => ({ at: SINCE + i * 60 * MINUTE, tags: { feature: FEATURE }, hash: `h${i % 20}`, input: 500, output: 200 })));
    const lines = renderAuditTable(report, { color: false }).split('\n');
    // The wrapped text has 100 − 15 = 85 columns. "Cache feature 東京の要約サービス's answers
    // keyed by the request (model, messages," is 5+1+7+1+(9×2+2)+1+7+1+5+1+2+1+3+1+7+1+7+1+9 = 81
    // columns; " parameters):" would make 94. Counted by code points it is 72, and 85 with it.
    expect(lines).toContain(`   fix         Cache feature ${FEATURE}'s answers keyed by the request (model, messages,`);
    const over = lines.filter((l) => columns(l) > 100).map((l) => `${columns(l)}: ${l}`);
    expect(over).toEqual([]);
  });
});
