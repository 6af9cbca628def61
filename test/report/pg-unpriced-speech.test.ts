import { afterAll, describe, expect, inject, it } from 'vitest';
import { postgresCallSink } from '../../src/store/pg/call-sink.js';
import { openPostgresStore } from '../../src/store/pg/pg-store.js';
import { createTestDatabase, dropTestDatabase } from '../support/pg.js';
import { record } from './dataset.js';

/**
 * The unpriced footers' reads on PostgreSQL (report/unpriced-speech.test.ts has them on SQLite):
 * a model whose speech calls were recorded without tokens (Groq's playai-tts, billed per input
 * character) is marked, from raw calls, from rollups and for `prices unpriced`; a speech model
 * recorded with tokens is not.
 */

const adminUrl = inject('pgUrl');
const made: string[] = [];
afterAll(async () => {
  for (const url of made) await dropTestDatabase(adminUrl, url);
});

const AT = '2026-11-10T12:00:00Z';
const SPEECH = { at: AT, endpoint: 'audio.speech', cost: null };
const scope = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), where: [], timeZone: 'UTC' };

describe('unpriced speech calls recorded without tokens, on PostgreSQL', () => {
  it('raw calls, rollups and prices unpriced mark playai-tts (2 calls without tokens), not the tokened snapshot', async () => {
    const url = await createTestDatabase(adminUrl, 'unpriced_speech');
    made.push(url);
    const pg = await openPostgresStore(url, 'create');
    try {
      await postgresCallSink(pg.db).write([
        record({ ...SPEECH, provider: 'groq', model: 'playai-tts', input: 0, output: 0 }),
        record({ ...SPEECH, provider: 'groq', model: 'playai-tts', input: 0, output: 0 }),
        record({ ...SPEECH, model: 'gpt-4o-mini-tts-2025-12-15', input: 12, output: 250 }),
      ]);
      const expected = [
        { model: 'playai-tts', provider: 'groq', calls: 2, speechWithoutTokens: true },
        { model: 'gpt-4o-mini-tts-2025-12-15', provider: 'openai', calls: 1 },
      ];
      expect(await pg.reports.raw.unpriced(scope)).toEqual(expected);
      const state = await pg.reports.rollupState();
      expect(await pg.reports.summaries(state!).rollups.unpriced(scope)).toEqual(expected);
      expect(await pg.reports.unpricedModels()).toEqual(expected);
    } finally {
      await pg.close();
    }
  });
});
