import { readFileSync } from 'node:fs';
import { calcPrice, findProvider, waitForUpdate, type MatchLogic, type Provider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { compactCatalog, latin1Json, packCatalog, unpackCatalog, type CatalogProvider } from '../../src/pricing/catalog-data.js';
import { LISTED_PROVIDERS, inferProviderId, matchModel, pinnedCatalog } from '../../src/pricing/catalog.js';
import { PINNED_CATALOG_JSON, PINNED_CATALOG_VERSION } from '../../src/pricing/pinned-catalog.js';

/**
 * The generated price table (src/pricing/pinned-catalog.ts) is the installed
 * @pydantic/genai-prices data, and our matcher finds the same provider and model as the
 * library's calcPrice / findProvider for names built from every model's match rules.
 */

const library = (await waitForUpdate()) as Provider[];
const table = pinnedCatalog();

describe('generated price table', () => {
  it('was generated from the installed library version', () => {
    const pkg = JSON.parse(readFileSync('node_modules/@pydantic/genai-prices/package.json', 'utf8')) as { version: string };
    expect(PINNED_CATALOG_VERSION).toBe(pkg.version);
  });

  it('equals the library data, converted (run npm run gen:prices when this fails)', () => {
    expect(table).toEqual(compactCatalog(library));
  });

  it('keeps every field pricing uses, value for value, for every provider and model', () => {
    expect(table.map((p) => p.id)).toEqual(library.map((p) => p.id));
    let models = 0;
    library.forEach((lp, i) => {
      const p = table[i]!;
      expect({ name: p.name, model_match: p.model_match, provider_match: p.provider_match, fallbacks: p.fallback_model_providers }).toEqual({
        name: lp.name,
        model_match: lp.model_match,
        provider_match: lp.provider_match,
        fallbacks: lp.fallback_model_providers,
      });
      expect(p.models.length, lp.id).toBe(lp.models.length);
      lp.models.forEach((lm, j) => {
        const m = p.models[j]!;
        expect({ id: m.id, name: m.name, match: m.match, prices: m.prices, deprecated: m.deprecated }, `${lp.id}/${lm.id}`).toEqual({
          id: lm.id,
          name: lm.name,
          match: lm.match,
          prices: JSON.parse(JSON.stringify(lm.prices)) as unknown,
          deprecated: lm.deprecated,
        });
        models++;
      });
    });
    expect(models).toBeGreaterThan(1500);
  });

  it('is Latin-1 text, one byte per character in the engine, and gives non-Latin-1 names back', () => {
    const wide = [...PINNED_CATALOG_JSON].filter((c) => c.charCodeAt(0) > 0xff);
    expect(wide).toEqual([]);
    // The library has at least one such name (an emoji); it survives the escapes.
    const names = table.flatMap((p) => p.models.map((m) => m.name ?? ''));
    expect(names.some((name) => /[^\u0000-\u00ff]/.test(name))).toBe(true);
  });

  it('packs models as Latin-1 JSON that parses back to the same values', () => {
    const value = { name: 'Dolphin 🐬 für Ärzte — “quoted”', s: 'a\\u00e9\n"', n: 1.5 };
    const text = latin1Json(value);
    expect([...text].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
    expect(text).toContain('für Ärzte');
    expect(JSON.parse(text)).toEqual(value);
    const provider: CatalogProvider = { id: 'x', name: 'X', models: [{ id: 'm', name: value.name, match: { equals: 'm' }, prices: { input_mtok: 1 } }] } as CatalogProvider;
    const [packed] = packCatalog([provider]);
    expect([...packed!.models].every((c) => c.charCodeAt(0) <= 0xff)).toBe(true);
    expect(unpackCatalog([packed!])[0]!.models).toEqual(provider.models);
  });

  it('drops descriptions, extractors and URLs (the table is much smaller than the data)', () => {
    expect(JSON.stringify(table).length).toBeLessThan(JSON.stringify(library).length * 0.7);
    expect(JSON.stringify(table)).not.toContain('"extractors"');
  });
});

/** Names a match rule claims or nearly claims: its strings as given, extended, upper-cased, with dates. */
function namesFrom(logic: MatchLogic, out: Set<string>): void {
  if ('or' in logic) return logic.or.forEach((c) => namesFrom(c, out));
  if ('and' in logic) return logic.and.forEach((c) => namesFrom(c, out));
  const text = 'equals' in logic ? logic.equals : 'starts_with' in logic ? logic.starts_with : 'ends_with' in logic ? logic.ends_with : 'contains' in logic ? logic.contains : null;
  if (text === null) return;
  for (const n of [text, `${text}-20250929`, `${text}-2025-09-29`, `x-${text}`, text.toUpperCase(), ` ${text} `]) out.add(n);
}

function libraryMatch(name: string, providerId: string | undefined): string | null {
  const r = calcPrice({}, name, providerId ? { providerId } : {});
  return r ? `${r.provider.id}/${r.model.id}` : null;
}

function ourMatch(data: readonly CatalogProvider[], name: string, providerId: string | undefined): string | null {
  const r = matchModel(data, name, providerId);
  return r ? `${r.providerId}/${r.model.id}` : null;
}

describe('matching parity with @pydantic/genai-prices', () => {
  const names = new Set<string>();
  for (const p of library) for (const m of p.models) {
    names.add(m.id);
    namesFrom(m.match, names);
  }
  const all = [...names];

  it(`every name from every model's rules, under its own provider and none; every 10th under each listed provider (${all.length} names)`, () => {
    const mismatches: string[] = [];
    let compared = 0;
    const compare = (label: string, ours: string | null | undefined, theirs: string | null | undefined) => {
      compared++;
      if (ours !== theirs) mismatches.push(`${label}: ours ${ours} library ${theirs}`);
    };
    for (const name of all) {
      compare(`infer '${name}'`, inferProviderId(name), findProvider({ modelId: name })?.id);
      compare(`'${name}' without provider`, ourMatch(table, name, undefined), libraryMatch(name, undefined));
    }
    let i = 0;
    for (const p of library) {
      const own = new Set<string>();
      for (const m of p.models) {
        own.add(m.id);
        namesFrom(m.match, own);
      }
      for (const name of own) {
        const pids = i++ % 10 === 0 ? new Set([p.id, ...LISTED_PROVIDERS]) : [p.id];
        for (const pid of pids) compare(`'${name}' at ${pid}`, ourMatch(table, name, pid), libraryMatch(name, pid));
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(40_000);
  }, 120_000);

  it('providers found by provider_match, unknown providers and fallbacks agree', () => {
    for (const [name, pid] of [
      ['gpt-4o', 'azure'],
      ['claude-sonnet-4-5', 'google-vertex'],
      ['gpt-4o', 'my-bedrock'],
      ['claude-3-haiku', 'amazon'],
      ['gpt-4o', 'nope'],
      ['claude-opus-4-1-20250805', 'aws'],
    ] as const) {
      expect(ourMatch(table, name, pid), `${name} at ${pid}`).toBe(libraryMatch(name, pid));
    }
  });
});
