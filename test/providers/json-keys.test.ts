import { describe, expect, it } from 'vitest';
import { pickJsonKeys, pickJsonKeysOfText } from '../../src/providers/json-keys.js';

const bytes = (text: string) => new TextEncoder().encode(text);

/** What JSON.parse gives for the same keys: the reference the scan must match. */
function reference(text: string, keys: readonly string[]): Record<string, unknown> {
  const whole = JSON.parse(text) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => k in whole).map((k) => [k, whole[k]]));
}

describe('pickJsonKeys', () => {
  it('reads usage after megabytes of base64 as JSON.parse does, and nothing else', () => {
    const b64 = 'QUJD'.repeat(750_000);
    const text = JSON.stringify({ created: 1, data: [{ b64_json: b64, revised_prompt: 'a "usage": {} in text' }], size: '1024x1024', usage: { input_tokens: 50, input_tokens_details: { image_tokens: 0, text_tokens: 50 }, output_tokens: 4160 } });
    const picked = pickJsonKeys(bytes(text), ['usage']);
    expect(picked).toEqual(reference(text, ['usage']));
    expect(Object.keys(picked!)).toEqual(['usage']);
    expect(pickJsonKeysOfText(text, ['usage', 'type'])).toEqual(reference(text, ['usage', 'type']));
  });

  it('walks strings with escaped quotes and backslashes, nested brackets inside strings, literals and whitespace', () => {
    const texts = [
      '{"a":"x\\\\","usage":{"n":1}}',
      '{"a":"say \\"}\\" here","b":[1,{"c":"]"},null,true,-2.5e3],"usage":{"n":2},"z":false}',
      ' {\n "usage" : [ 1 , 2 ] ,\t"model":"m" }\n',
      '{"usage":null}',
      '{"usage":1,"usage":2}',
      '{}',
      '{"model":"gpt-image-1"}',
      '{"k\\u0065y":1,"usage":"\\u00e9"}',
    ];
    for (const text of texts) {
      expect(pickJsonKeys(bytes(text), ['usage', 'model'])).toEqual(reference(text, ['usage', 'model']));
      expect(pickJsonKeysOfText(text, ['usage', 'model'])).toEqual(reference(text, ['usage', 'model']));
    }
  });

  it('gives undefined for what is not one JSON object, so the caller parses it whole', () => {
    for (const text of ['', '[1]', '"usage"', '{"usage":{"n":1}', '{"usage" 1}', '{"a":"open}', '{"usage":{"n":1}} x', '{"usage":tru e}', '{usage:1}', '{"a":1,}']) {
      expect(pickJsonKeys(bytes(text), ['usage'])).toBeUndefined();
      expect(pickJsonKeysOfText(text, ['usage'])).toBeUndefined();
    }
  });
  // An OCR answer's pages (markdown, base64 images) are read only for how many there are: a
  // counted member comes back as an array of its length whose elements are never parsed.
  it('counts the elements of a counted array member without parsing them, as JSON.parse would give its length', () => {
    const page = (i: number) => ({ index: i, markdown: `# Page ${i} "quoted" ] } [`, images: [{ id: `img-${i}`, image_base64: 'QUJD'.repeat(50_000) }], dimensions: { dpi: 200, height: 2200, width: 1700 } });
    const texts = [
      JSON.stringify({ pages: [0, 1, 2, 3, 4, 5, 6].map(page), model: 'mistral-ocr-2512', usage_info: { pages_processed: 7, doc_size_bytes: 1234 } }),
      '{"pages":[],"model":"m"}',
      '{"pages": [ 1 , [2, 3] , {"a":"]"} , null ] }',
      '{"pages":"not a list","model":"m"}',
      '{"model":"m"}',
    ];
    for (const text of texts) {
      for (const picked of [pickJsonKeys(bytes(text), ['model', 'usage_info'], ['pages']), pickJsonKeysOfText(text, ['model', 'usage_info'], ['pages'])]) {
        const whole = JSON.parse(text) as Record<string, unknown>;
        expect(picked).toBeDefined();
        expect(Object.keys(picked!).sort()).toEqual(['model', 'pages', 'usage_info'].filter((k) => k in whole).sort());
        expect(picked!.model).toEqual(whole.model);
        expect(picked!.usage_info).toEqual(whole.usage_info);
        if (Array.isArray(whole.pages)) {
          expect(Array.isArray(picked!.pages)).toBe(true);
          expect((picked!.pages as unknown[]).length).toBe(whole.pages.length);
          // Holes: nothing of an element was parsed.
          expect(Object.keys(picked!.pages as unknown[])).toEqual([]);
        } else {
          expect(picked!.pages).toEqual(whole.pages);
        }
      }
    }
  });

  it('gives undefined for a counted array that is not well formed', () => {
    for (const text of ['{"pages":[1,]}', '{"pages":[1 2]}', '{"pages":[,1]}', '{"pages":[1}', '{"pages":["a]}']) {
      expect(pickJsonKeys(bytes(text), [], ['pages'])).toBeUndefined();
      expect(pickJsonKeysOfText(text, [], ['pages'])).toBeUndefined();
    }
  });
});
