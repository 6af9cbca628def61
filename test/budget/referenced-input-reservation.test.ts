import { describe, expect, it } from 'vitest';
import type { GateRequest } from '../../src/budget/gate.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';
import { createGeminiAdapter } from '../../src/providers/gemini.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import { budgetRequestOf } from '../../src/proxy/budget-request.js';
import { keyGate } from './helpers.js';

/**
 * Images and documents a request names by reference (a URL or a file id) are billed as input
 * tokens the body's bytes do not carry: the reservation holds each at a bound of what the
 * provider bills for it (docs/budgets.md, "What a call holds"). Each request below is given as
 * a 400-byte body: 100 prompt tokens at 4 bytes a token. Prices are the estimate's dearest
 * input-side and output prices from the pinned catalog, in nano-USD per token:
 *   gpt-4o 2.5 / 10; gpt-4o-mini 0.15 / 0.6; gpt-4.1-mini 0.4 / 1.6; gpt-5 1.25 / 10;
 *   claude-3-5-haiku 1.6 (its 1h cache write) / 4; gemini-2.5-flash 1.0 (audio in) / 2.5.
 */

const AT = Date.parse('2026-11-20T12:00:00Z');
const BODY_BYTES = 400;
const openai = createOpenAiAdapter();
const anthropic = createAnthropicAdapter();
const gemini = createGeminiAdapter();

function gateRequestOf(provider: string, info: ReturnType<typeof openai.describe>): GateRequest {
  return budgetRequestOf('k', {}, provider, info, BODY_BYTES, undefined, AT);
}

const hold = (req: GateRequest) => keyGate(100, AT).estimate(req);

/** A gpt-4o-style chat call with `parts` as its user message's content, max_tokens 50. */
function chat(model: string, parts: unknown[]): GateRequest {
  return gateRequestOf('openai', openai.describe('POST', '/v1/chat/completions', { model, max_tokens: 50, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: parts }] }));
}

const text = { type: 'text', text: 'What is in this image?' };
const imageUrl = (url: string, detail?: string) => ({ type: 'image_url', image_url: detail === undefined ? { url } : { url, detail } });
const CAT = 'https://example.com/cat.png';

describe('OpenAI chat: an image given by URL is held at the most tokens its model bills for one image', () => {
  it('a text-only call holds what it held before: 100 × 2,500 + 50 × 10,000 = 750,000', () => {
    expect(hold(chat('gpt-4o', [text]))).toBe(750_000);
  });

  // gpt-4o high detail: 85 + 170 a 512-px tile; at most 8 tiles (the image fits 2048 px, then its
  // short side 768 px: 768 × 2048 is 2 × 4 tiles) = 1,445 tokens. (100 + 1,445) × 2,500 + 500,000.
  it('gpt-4o, detail high (or auto, or unset): 4,362,500, above the 3,262,500 a 1,105-token image call with 50 out is billed', () => {
    expect(hold(chat('gpt-4o', [text, imageUrl(CAT, 'high')]))).toBe(4_362_500);
    expect(hold(chat('gpt-4o', [text, imageUrl(CAT, 'auto')]))).toBe(4_362_500);
    expect(hold(chat('gpt-4o-2024-08-06', [text, imageUrl(CAT)]))).toBe(4_362_500);
    expect(hold(chat('gpt-4o', [text, imageUrl(CAT)]))).toBeGreaterThanOrEqual(1_105 * 2_500 + 50 * 10_000);
  });

  // detail low: the base 85 tokens. (100 + 85) × 2,500 + 500,000.
  it('gpt-4o, detail low: 962,500', () => {
    expect(hold(chat('gpt-4o', [text, imageUrl(CAT, 'low')]))).toBe(962_500);
  });

  it('two images by URL hold two: (100 + 2 × 1,445) × 2,500 + 500,000 = 7,975,000', () => {
    expect(hold(chat('gpt-4o', [text, imageUrl(CAT, 'high'), imageUrl('https://example.com/dog.png')]))).toBe(7_975_000);
  });

  it('an inline base64 image adds nothing: its bytes are already the prompt (750,000)', () => {
    expect(hold(chat('gpt-4o', [text, imageUrl('data:image/png;base64,iVBORw0KGgo=', 'high')]))).toBe(750_000);
  });

  // gpt-4o-mini bills an image as 2,833 + 5,667 a tile: 2,833 + 8 × 5,667 = 48,169 tokens.
  // (100 + 48,169) × 150 + 50 × 600 = 7,240,350 + 30,000.
  it('gpt-4o-mini, detail high: 7,270,350 (its multiplied image tokens); low: (100 + 2,833) × 150 + 30,000 = 469,950', () => {
    expect(hold(chat('gpt-4o-mini', [text, imageUrl(CAT, 'high')]))).toBe(7_270_350);
    expect(hold(chat('gpt-4o-mini', [text, imageUrl(CAT, 'low')]))).toBe(469_950);
  });

  // gpt-4.1-mini bills 32-px patches, at most 1,536, × 1.62: ceil(2,488.32) = 2,489 tokens, whatever
  // the detail. (100 + 2,489) × 400 + 50 × 1,600 = 1,035,600 + 80,000.
  it('gpt-4.1-mini (patches × 1.62): 1,115,600 at any detail', () => {
    expect(hold(chat('gpt-4.1-mini', [text, imageUrl(CAT, 'high')]))).toBe(1_115_600);
    expect(hold(chat('gpt-4.1-mini', [text, imageUrl(CAT, 'low')]))).toBe(1_115_600);
  });

  // A -mini or -nano of the gpt-5 family whatever comes between (gpt-5.1-codex-mini: $0.25 / $2 per 1M)
  // bills patches × 1.62 too, not gpt-5's tiles (1,190): (100 + 2,489) × 250 + 50 × 2,000 = 647,250 + 100,000.
  it('gpt-5.1-codex-mini is a patch-billed mini: 747,250', () => {
    expect(hold(chat('gpt-5.1-codex-mini', [text, imageUrl(CAT, 'high')]))).toBe(747_250);
  });

  // A chat `file` part by file_id is a PDF: 100 pages × (3,000 text + 1,445 image) = 444,500 tokens,
  // more than gpt-4o's 128,000-token window, which bounds any prompt: (100 + 128,000) × 2,500 + 500,000.
  it('a chat file part by file_id holds a whole document, at most the model window: 320,750,000', () => {
    expect(hold(chat('gpt-4o', [text, { type: 'file', file: { file_id: 'file-abc' } }]))).toBe(320_750_000);
  });
});

describe('OpenAI Responses: input_image and input_file by URL or file id', () => {
  const responses = (model: string, content: unknown[]) =>
    gateRequestOf('openai', openai.describe('POST', '/v1/responses', { model, max_output_tokens: 50, input: [{ role: 'user', content }] }));

  // gpt-5: 70 + 140 a tile, 8 tiles = 1,190 tokens. (100 + 1,190) × 1,250 + 50 × 10,000 = 1,612,500 + 500,000.
  it('gpt-5, input_image by file_id (detail unset): 2,112,500; by URL the same', () => {
    expect(hold(responses('gpt-5', [{ type: 'input_text', text: 'What is this?' }, { type: 'input_image', file_id: 'file-abc' }]))).toBe(2_112_500);
    expect(hold(responses('gpt-5', [{ type: 'input_image', image_url: CAT, detail: 'high' }]))).toBe(2_112_500);
  });

  it('an input_image given inline (a data URL) adds nothing: 100 × 1,250 + 500,000 = 625,000', () => {
    expect(hold(responses('gpt-5', [{ type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=' }]))).toBe(625_000);
  });

  it('gpt-4o, input_file by file_url: the document bound at the model window, 320,750,000', () => {
    expect(hold(responses('gpt-4o', [{ type: 'input_file', file_url: 'https://example.com/report.pdf' }]))).toBe(320_750_000);
  });
});

describe('Anthropic Messages: image and document blocks by URL or file id', () => {
  const messages = (content: unknown[]) =>
    gateRequestOf('anthropic', anthropic.describe('POST', '/v1/messages', { model: 'claude-3-5-haiku-latest', max_tokens: 50, messages: [{ role: 'user', content }] }));

  // An image is at most ~1.15 megapixels once resized, w × h / 750 ≤ 1,600 tokens.
  // (100 + 1,600) × 1,600 + 50 × 4,000 = 2,720,000 + 200,000.
  it('an image by URL or file id holds 1,600 tokens: 2,920,000', () => {
    expect(hold(messages([{ type: 'image', source: { type: 'url', url: CAT } }]))).toBe(2_920_000);
    expect(hold(messages([{ type: 'image', source: { type: 'file', file_id: 'file_abc' } }]))).toBe(2_920_000);
  });

  it('a base64 image adds nothing: 100 × 1,600 + 200,000 = 360,000', () => {
    expect(hold(messages([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }]))).toBe(360_000);
  });

  // A PDF: 100 pages (the documented limit) × (3,000 text + 1,600 image) = 460,000 tokens, more
  // than the 200,000-token window: (100 + 200,000) × 1,600 + 200,000 = 320,360,000.
  it('a document by URL or file id holds a 100-page PDF, at most the model window: 320,360,000', () => {
    expect(hold(messages([{ type: 'document', source: { type: 'url', url: 'https://example.com/report.pdf' } }]))).toBe(320_360_000);
    expect(hold(messages([{ type: 'document', source: { type: 'file', file_id: 'file_abc' } }]))).toBe(320_360_000);
  });

  it('an image by URL inside a tool result is held too: 2,920,000', () => {
    expect(hold(messages([{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'image', source: { type: 'url', url: CAT } }] }]))).toBe(2_920_000);
  });
});

describe('Gemini generateContent: fileData parts', () => {
  const generate = (part: unknown) =>
    gateRequestOf('gemini', gemini.describe('POST', '/v1beta/models/gemini-2.5-flash:generateContent', { contents: [{ role: 'user', parts: [{ text: 'Describe this.' }, part] }], generationConfig: { maxOutputTokens: 50 } }));

  // An image: 258 tokens a 768-px tile, at most 4 × 4 tiles (images are scaled to fit 3,072 px) = 4,128.
  // (100 + 4,128) × 1,000 + 50 × 2,500 = 4,228,000 + 125,000.
  it('an image file: 4,353,000', () => {
    expect(hold(generate({ fileData: { mimeType: 'image/png', fileUri: 'https://example.com/cat.png' } }))).toBe(4_353_000);
  });

  // A PDF: 1,000 pages (the documented limit) × 560 tokens (Gemini 3's default page resolution,
  // above 2.x's 258) = 560,000. (100 + 560,000) × 1,000 + 125,000.
  it('a PDF file (snake_case file_data): 560,225,000', () => {
    expect(hold(generate({ file_data: { mime_type: 'application/pdf', file_uri: 'gs://bucket/report.pdf' } }))).toBe(560_225_000);
  });

  // Video, audio or any other file: its length is unknown; held at the model's window, 1,048,576.
  it('a video file: the whole window, (100 + 1,048,576) × 1,000 + 125,000 = 1,048,801,000', () => {
    expect(hold(generate({ fileData: { mimeType: 'video/mp4', fileUri: 'https://www.youtube.com/watch?v=abc' } }))).toBe(1_048_801_000);
  });

  it('inline data adds nothing: 100 × 1,000 + 125,000 = 225,000', () => {
    expect(hold(generate({ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } }))).toBe(225_000);
  });
});
