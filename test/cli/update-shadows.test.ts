import { describe, expect, it } from 'vitest';
import { renderDiff } from '../../src/cli/catalog-apply.js';
import { snapshotFromText } from '../../src/cli/catalog-source.js';
import { shadowsOf } from '../../src/cli/update-shadows.js';
import { pinnedCatalog } from '../../src/pricing/catalog.js';
import type { CatalogProvider } from '../../src/pricing/catalog-data.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { diffCatalogs } from '../../src/pricing/snapshot-diff.js';

/**
 * `prices update` says which new snapshot prices do not apply, because tokometer's
 * override or a config `prices:` entry for the model wins, and prints the price in force.
 */

const AT = Date.parse('2026-12-07T12:00:00Z');

/** The pinned catalog with deepseek-chat at 0.5/1.0 (as the trial's cat5.json) and gpt-4o-mini (input, output) and gpt-4o (input) changed. */
function nextCatalog(): CatalogProvider[] {
  const data = structuredClone(pinnedCatalog()) as CatalogProvider[];
  const model = (provider: string, id: string) => data.find((p) => p.id === provider)!.models.find((m) => m.id === id)!;
  model('deepseek', 'deepseek-chat').prices = { input_mtok: 0.5, output_mtok: 1 };
  model('openai', 'gpt-4o-mini').prices = { input_mtok: 0.2, cache_read_mtok: 0.075, output_mtok: 0.7 };
  model('openai', 'gpt-4o').prices = { input_mtok: 3, cache_read_mtok: 1.25, output_mtok: 10 };
  return data;
}

function updateText(configPrices: Parameters<typeof createPricer>[0]): string {
  const next = nextCatalog();
  const diff = diffCatalogs(pinnedCatalog(), pinnedCatalog(), next);
  const before = createPricer(configPrices);
  const after = createPricer(configPrices, { snapshot: snapshotFromText(JSON.stringify(next), AT, 'ab'.repeat(32), 0) });
  return renderDiff(diff, shadowsOf(diff, before, after, AT));
}

describe('prices update: prices the new snapshot does not apply', () => {
  it("says when tokometer's override wins, with the price in force as the old one", () => {
    const text = updateText({});
    expect(text).toMatch(/^  deepseek\/deepseek-chat input_mtok: \$0\.28 in force \(tokometer's override\) stays; the snapshot's 0\.135 → 0\.5 does not apply$/m);
    expect(text).toMatch(/^  deepseek\/deepseek-chat output_mtok: \$0\.42 in force \(tokometer's override\) stays; the snapshot's 0\.55 → 1 does not apply$/m);
    // A model without an override or config entry changes as before.
    expect(text).toMatch(/^  openai\/gpt-4o input_mtok: 2\.5 → 3$/m);
    expect(text).toMatch(/^1 model's new prices do not apply: tokometer's override for it wins over every snapshot \(docs\/prices\.md, "Overrides and snapshots"\)\.$/m);
  });

  it("says when the config's prices: entry wins, and not for the prices the entry leaves to the catalog", () => {
    const text = updateText({ 'gpt-4o-mini': { provider: 'openai', input: 0.1 } });
    expect(text).toMatch(/^  openai\/gpt-4o-mini input_mtok: \$0\.10 in force \(the config's prices: entry\) stays; the snapshot's 0\.15 → 0\.2 does not apply$/m);
    // The entry sets no cached-input price: that one comes from the snapshot, so it applies.
    expect(text).toMatch(/^  openai\/gpt-4o-mini output_mtok: 0\.6 → 0\.7$/m);
    expect(text).toMatch(/^2 models' new prices do not apply: tokometer's override or the config's prices: entry for them wins over every snapshot/m);
  });

  it('prints the diff unchanged when nothing shadows it', () => {
    const diff = diffCatalogs(pinnedCatalog(), pinnedCatalog(), nextCatalog());
    expect(renderDiff(diff)).toMatch(/^  deepseek\/deepseek-chat input_mtok: 0\.135 → 0\.5$/m);
  });
});
