import { afterAll, describe, expect, it } from 'vitest';
import { renderTable } from '../../src/report/format/table.js';
import { spendReport } from '../../src/report/query.js';
import { buildDb } from './dataset.js';

/**
 * An unpriced chat model and an image model billed per image (dall-e-3, recorded without a
 * cost: providers/openai-images.ts): the footer's advice to add a price under `prices:` fits
 * the first only, so it says which models no token price can count.
 */
const db = buildDb([
  { at: '2026-11-02T10:00:00Z', provider: 'acme', model: 'acme-llm-7b', cost: null, tags: {} },
  { at: '2026-11-03T10:00:00Z', provider: 'openai', model: 'dall-e-3', cost: null, tags: {} },
]);
afterAll(() => db.close());

describe('the unpriced footer of a report', () => {
  it('says a model billed per image cannot be priced under prices:', async () => {
    const r = await spendReport(db.reads, { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), timeZone: 'UTC', where: [], by: ['model'] });
    expect(renderTable(r, { color: false })).toContain(
      '2 unpriced calls not included in spend: acme-llm-7b on acme (1), dall-e-3 on openai (1).\n' +
        'Add a price for these models under `prices:` in the config; dall-e-3 is billed per image, which tokometer cannot price (docs/prices.md, "OpenAI Images API").',
    );
  });
});
