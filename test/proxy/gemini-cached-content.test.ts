import { describe, expect, it } from 'vitest';
import type { Reservation } from '../../src/budget/reservation.js';
import type { GateResult } from '../../src/budget/gate.js';
import type { UpstreamRequest } from '../../src/proxy/types.js';
import { keyGate, now } from '../budget/helpers.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer, NOW, SECRET, sseAnswer, type Fixture } from './fakes.js';

/**
 * Gemini calls that name a `cachedContent` are billed for the cached prompt (at the
 * cache-read rate) that their body does not carry: the reservation counts it
 * (ai.google.dev/api/caching: `cachedContent` of GenerateContentRequest; the create answer's
 * `usageMetadata.totalTokenCount`; a generate answer's `usageMetadata.cachedContentTokenCount`).
 *
 * Estimates on the pinned catalog, gemini-2.5-pro: input $1.25 / cached $0.125 / output $10
 * per 1M up to 200,000 prompt tokens, $2.50 / $0.25 / $15 above. The body and the output
 * are held at the dearest rates (as before); the cached tokens at the cache-read rate of the
 * tier the prompt lands in (cached tokens + body bytes, a token being at least one byte).
 * The trial's body, {"cachedContent":"cachedContents/abc123","contents":"summarise",
 * "generationConfig":{"maxOutputTokens":10}}, is 106 bytes: ceil(106 / 4) = 27 tokens.
 *   body   27 × 2,500,000 pico            =     67,500,000 pico
 *   output 10 × 15,000,000 pico           =    150,000,000 pico
 *   cached 179,990 × 125,000 pico         = 22,498,750,000 pico
 *   total                                 = 22,716,250 nano-USD (was 217,500: body and output only)
 * The call really costs 22,611,250 (179,990 × 125 + 10 × 1,250 + 10 × 10,000 nano).
 */

const GEMINI = 'providers:\n  gemini: { base_url: "http://upstream.invalid", api_key: "g-key" }\n';
const GENERATE = '/proxy/gemini/v1beta/models/gemini-2.5-pro:generateContent';
const TRIAL_BODY = { cachedContent: 'cachedContents/abc123', contents: 'summarise', generationConfig: { maxOutputTokens: 10 } };

const CACHED_ESTIMATE = 22_716_250;

function created(name: string, tokens: number, model = 'models/gemini-2.5-pro'): string {
  return JSON.stringify({ name, model, createTime: '2026-11-20T12:00:00Z', expireTime: '2026-11-20T13:00:00Z', usageMetadata: { totalTokenCount: tokens } });
}

function generated(cachedTokens: number): string {
  return JSON.stringify({
    candidates: [{ content: { role: 'model', parts: [{ text: 'A summary.' }] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: cachedTokens + 10, cachedContentTokenCount: cachedTokens, candidatesTokenCount: 10, totalTokenCount: cachedTokens + 20 },
    modelVersion: 'gemini-2.5-pro',
  });
}

/** A Gemini proxy whose upstream creates caches of `cacheTokens` and answers every generate call as having read `answerCached` cached tokens. */
function geminiFixture(cacheTokens: number, answerCached = cacheTokens): Fixture {
  return fixture(
    (req: UpstreamRequest) => {
      if (req.url.endsWith('/v1beta/cachedContents')) return jsonAnswer(created('cachedContents/abc123', cacheTokens));
      if (req.method === 'DELETE') return jsonAnswer('{}');
      return jsonAnswer(generated(answerCached));
    },
    {},
    undefined,
    GEMINI,
  );
}

function geminiCall(method: string, path: string, body: object | null) {
  return { ...chatCall(body ?? '', { 'x-goog-api-key': SECRET }), method, url: path };
}

/** The estimate a real gate ($1 key budget) holds for the fixture's `i`-th budget request. */
function estimateOf(f: Fixture, i: number): number {
  return keyGate(1, NOW).estimate(f.gate.requests[i]!);
}

async function send(f: Fixture, method: string, path: string, body: object | null): Promise<number> {
  const res = await f.handle(geminiCall(method, path, body));
  await bodyText(res);
  await afterImmediates();
  return res.status;
}

describe('Gemini calls on a cachedContent: the reservation counts the cached prompt', () => {
  it('the trial: a cache created through the proxy, then 5 concurrent calls on it against $0.05: 2 admitted (was 5), each holding 22,716,250 nano-USD (was 217,500)', async () => {
    const f = geminiFixture(179_990);
    expect(await send(f, 'POST', '/proxy/gemini/v1beta/cachedContents', { model: 'models/gemini-2.5-pro', contents: [{ role: 'user', parts: [{ text: 'a long document' }] }] })).toBe(200);
    // The calls are held on a real $0.05 key budget (keyGate's key 'k' stands for the fixture's
    // key 'app') and never settled on it: all 5 are in flight together.
    const budget = keyGate(0.05, NOW);
    f.gate.next = (req) => {
      const r = now(budget.reserve({ ...req, keyName: 'k' })) as GateResult<Reservation>;
      return r.ok ? { ok: true, reservation: 'held' } : (r as GateResult<string>);
    };
    const statuses = await Promise.all([0, 1, 2, 3, 4].map(async () => {
      const res = await f.handle(geminiCall('POST', GENERATE, TRIAL_BODY));
      await bodyText(res);
      return res.status;
    }));
    await afterImmediates();
    // 2 × 22,716,250 = 45,432,500 fits in 50,000,000; a third (68,148,750) does not.
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(estimateOf(f, 1)).toBe(CACHED_ESTIMATE);
    expect(f.upstream.requests.filter((r) => r.url.includes(':generateContent'))).toHaveLength(2);
    // The creation itself stays unmetered: its answer is only read for the cache's size.
    expect(f.records[0]).toMatchObject({ endpoint: 'other', usage: null, usageSource: 'not_metered' });
  });

  it('the snake_case field (cached_content, 107 bytes, still 27 tokens) is read too: 22,716,250', async () => {
    const f = geminiFixture(179_990);
    await send(f, 'POST', '/proxy/gemini/v1beta/cachedContents', { model: 'models/gemini-2.5-pro', contents: [] });
    await send(f, 'POST', GENERATE, { cached_content: 'cachedContents/abc123', contents: 'summarise', generationConfig: { maxOutputTokens: 10 } });
    expect(estimateOf(f, 1)).toBe(CACHED_ESTIMATE);
  });

  // 199,950 cached + 106 body bytes > 200,000: the whole call is billed on the >200K tier,
  // the cached tokens at $0.25 per 1M: 199,950 × 250,000 + 67,500,000 + 150,000,000 pico = 50,205,000 nano.
  it('a cache that pushes the prompt over the 200,000-token tier is held at the dearer cache-read rate: 50,205,000', async () => {
    const f = geminiFixture(199_950);
    await send(f, 'POST', '/proxy/gemini/v1beta/cachedContents', { model: 'models/gemini-2.5-pro', contents: [] });
    await send(f, 'POST', GENERATE, TRIAL_BODY);
    expect(estimateOf(f, 1)).toBe(50_205_000);
  });

  // Unknown cache: 128,000 tokens (128,106 < 200,000: base tier): 128,000 × 125,000 + 67,500,000 + 150,000,000 pico = 16,217,500 nano.
  it('a cache created elsewhere: the first call holds the unknown-cache figure (128,000 tokens: 16,217,500, was 217,500), the next one its size from the first answer (22,716,250)', async () => {
    const f = geminiFixture(179_990);
    await send(f, 'POST', GENERATE, TRIAL_BODY);
    await send(f, 'POST', GENERATE, TRIAL_BODY);
    expect([estimateOf(f, 0), estimateOf(f, 1)]).toEqual([16_217_500, CACHED_ESTIMATE]);
  });

  it("another unknown cache on the same key and model holds the largest cache that key has used with it (179,990 > 128,000): 22,716,250", async () => {
    const f = geminiFixture(179_990);
    await send(f, 'POST', GENERATE, TRIAL_BODY);
    await send(f, 'POST', GENERATE, { ...TRIAL_BODY, cachedContent: 'cachedContents/zzz999' });
    expect(estimateOf(f, 1)).toBe(CACHED_ESTIMATE);
  });

  it('a streamed answer (?alt=sse) teaches the size too: its last chunk has the totals', async () => {
    const usage = (last: boolean) => (last ? { promptTokenCount: 180_000, cachedContentTokenCount: 179_990, candidatesTokenCount: 10, totalTokenCount: 180_010 } : { promptTokenCount: 180_000 });
    const frame = (text: string, last: boolean) =>
      `data: ${JSON.stringify({ candidates: [{ content: { role: 'model', parts: [{ text }] }, ...(last ? { finishReason: 'STOP' } : {}) }], usageMetadata: usage(last), modelVersion: 'gemini-2.5-pro' })}\r\n\r\n`;
    const f = fixture((req) => sseAnswer(req, [frame('A ', false), frame('summary.', true)]), {}, undefined, GEMINI);
    const stream = GENERATE.replace(':generateContent', ':streamGenerateContent?alt=sse');
    await send(f, 'POST', stream, TRIAL_BODY);
    await send(f, 'POST', stream, TRIAL_BODY);
    expect([estimateOf(f, 0), estimateOf(f, 1)]).toEqual([16_217_500, CACHED_ESTIMATE]);
  });

  // {"contents":"summarise","generationConfig":{"maxOutputTokens":10}}: 66 bytes, 17 tokens:
  //   17 × 2,500,000 + 10 × 15,000,000 = 192,500,000 pico = 192,500 nano.
  it('a call without cachedContent is held as before: 192,500, whatever caches the key has used', async () => {
    const f = geminiFixture(179_990);
    await send(f, 'POST', GENERATE, TRIAL_BODY);
    await send(f, 'POST', GENERATE, { contents: 'summarise', generationConfig: { maxOutputTokens: 10 } });
    expect(estimateOf(f, 1)).toBe(192_500);
    expect(f.gate.requests[1]!.promptBytes).toBe(66);
  });
});

describe('Gemini caches on Vertex AI (the gemini provider with a Vertex base_url)', () => {
  // @google/genai with `vertexai: true` creates a cache at
  // `{v1beta1|v1}/projects/P/locations/L/cachedContents` and names it in full,
  // `projects/P/locations/L/cachedContents/ID`; generate requests name it the same way.
  const VERTEX = '/proxy/gemini/v1beta1/projects/p1/locations/us-central1';
  const NAME = 'projects/p1/locations/us-central1/cachedContents/abc123';

  it('learns the size of a cache created on Vertex and holds it: 22,736,250 nano-USD (was the unknown-cache rule)', async () => {
    const f = fixture(
      (req: UpstreamRequest) => (req.url.endsWith('/cachedContents') ? jsonAnswer(created(NAME, 179_990, 'projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro')) : jsonAnswer(generated(179_990))),
      {},
      undefined,
      GEMINI,
    );
    expect(await send(f, 'POST', `${VERTEX}/cachedContents`, { model: 'projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-pro', contents: [] })).toBe(200);
    // First a cache this replica has not seen, on the same key and model: held at the largest
    // the key has used with gemini-2.5-pro (179,990, the created one's, whose answer names the
    // model in full), not at 128,000.
    await send(f, 'POST', `${VERTEX}/publishers/google/models/gemini-2.5-pro:generateContent`, { ...TRIAL_BODY, cachedContent: NAME.replace('abc123', 'zzz999') });
    // The body, {"cachedContent":"projects/p1/locations/us-central1/cachedContents/zzz999",…}, is
    // 140 bytes: 35 tokens × 2,500,000 + 10 × 15,000,000 + 179,990 × 125,000 pico = 22,736,250 nano.
    expect(estimateOf(f, 1)).toBe(22_736_250);
    // Then the created cache itself, by its full name: the same.
    await send(f, 'POST', `${VERTEX}/publishers/google/models/gemini-2.5-pro:generateContent`, { ...TRIAL_BODY, cachedContent: NAME });
    expect(estimateOf(f, 2)).toBe(22_736_250);
  });
});
