import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testStore as createStore } from '../support/store.js';
import { readsOf, record } from './dataset.js';
import { cliIn } from './report-cli.js';

/**
 * Another vendor's speech model on the shared /audio/speech route (Groq's `playai-tts`) is
 * recorded without tokens and unpriced (providers/openai-speech.ts untokenedSpeechNote): it is
 * billed per input character, which no price under `prices:` can count. serve's warning and the
 * audit name that unit from the call's endpoint and tokens (domain/billing-units.ts
 * untokenedUnit); the `report` and `prices unpriced` footers must too, not only for `tts-1…`
 * names. A speech call recorded with tokens and no cost (stored here as a dated gpt-4o-mini-tts
 * snapshot without a price, as a call priced before its model was in the catalog is) keeps the
 * advice to add a price: a token price counts it.
 */

let dir: string;
let dbPath: string;
const AT = '2026-11-10T12:00:00Z';
const SPEECH = { at: AT, endpoint: 'audio.speech', cost: null };

const calls = [
  record({ ...SPEECH, provider: 'groq', model: 'playai-tts', input: 0, output: 0 }),
  record({ ...SPEECH, provider: 'groq', model: 'playai-tts', input: 0, output: 0 }),
  record({ ...SPEECH, model: 'gpt-4o-mini-tts-2025-12-15', input: 12, output: 250 }),
];

const PER_CHARACTER = '; playai-tts is billed per input character, which tokometer cannot price (docs/prices.md, "Text-to-speech")';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-unpriced-speech-'));
  dbPath = path.join(dir, 'calls.db');
  const store = createStore(openDriver(dbPath));
  store.insertCalls(calls);
  void store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => cliIn(dir, args);

describe('the unpriced footers on speech calls recorded without tokens', () => {
  // Before: 'Add a price for these models under `prices:` in the config.' with no clause.
  it("`report`'s footer says playai-tts is billed per input character, and still advises a price for the tokened snapshot", async () => {
    const report = await cli(['report', '--by', 'model', '--since', '2026-11-01', '--until', '2026-11-30', '--db', dbPath]);
    expect(report.code).toBe(0);
    expect(report.out).toContain('3 unpriced calls not included in spend: playai-tts on groq (2), gpt-4o-mini-tts-2025-12-15 on openai (1).');
    expect(report.out).toContain(`Add a price for these models under \`prices:\` in the config${PER_CHARACTER}.`);
  });

  // Before: "These calls are recorded with an unknown cost. Add their prices under 'prices:' in the config." alone.
  it('`prices unpriced` says so too', async () => {
    const prices = await cli(['prices', 'unpriced', '--db', dbPath]);
    expect(prices.code).toBe(0);
    expect(prices.out).toContain(`Add their prices under 'prices:' in the config${PER_CHARACTER}.`);
  });

  // The footer reads rollups or raw calls by the report's plan: both tell the speech calls recorded
  // without tokens (`speechWithoutTokens: true`; absent for other models).
  it('raw calls and rollups both mark playai-tts (2 calls without tokens) and not the snapshot (tokens)', async () => {
    const driver = openDriver(dbPath);
    try {
      const reads = readsOf(driver);
      const scope = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), where: [], timeZone: 'UTC' };
      const expected = [
        { model: 'playai-tts', provider: 'groq', calls: 2, speechWithoutTokens: true },
        { model: 'gpt-4o-mini-tts-2025-12-15', provider: 'openai', calls: 1 },
      ];
      expect(await reads.raw.unpriced(scope)).toEqual(expected);
      const state = await reads.rollupState();
      expect(await reads.summaries(state!).rollups.unpriced(scope)).toEqual(expected);
      expect(await reads.unpricedModels()).toEqual(expected.map(({ model, provider, ...rest }) => ({ provider, model, ...rest })));
    } finally {
      driver.close();
    }
  });
});
