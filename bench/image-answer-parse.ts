/**
 * The event loop time a large answer costs the meter: the whole body parsed against only the
 * members the adapter reads (providers/json-keys.ts): an Images answer's `usage`, an OCR
 * answer's `model` and `usage_info` with its `pages` counted.
 * Run: `taskset -c 1 node_modules/.bin/bun bench/image-answer-parse.ts`.
 */
import { pickJsonKeys } from '../src/providers/json-keys.js';
import type { JsonPick } from '../src/providers/types.js';
import { parseJsonBytes } from '../src/providers/json.js';
import { OCR_USAGE_KEYS } from '../src/providers/mistral-ocr.js';
import { IMAGES_USAGE_KEYS } from '../src/providers/openai-images.js';

function measure(label: string, body: string, wanted: JsonPick): void {
  const bytes = new TextEncoder().encode(body);
  const full: number[] = [], pick: number[] = [];
  for (let r = 0; r < 7; r++) {
    let t = performance.now(); parseJsonBytes(bytes); full.push(performance.now() - t);
    t = performance.now(); pickJsonKeys(bytes, wanted.keys, wanted.counted); pick.push(performance.now() - t);
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[3]!.toFixed(2);
  console.log(`${label}, ${(bytes.length / 1e6).toFixed(1)} MB: whole parse ${med(full)} ms, picked ${med(pick)} ms (median of 7)`);
}

for (const mb of [3, 30]) {
  const b64 = Buffer.alloc(mb * 750_000, 7).toString('base64');
  measure('Images answer', JSON.stringify({ created: 1, background: 'opaque', data: [{ b64_json: b64 }], output_format: 'png', quality: 'high', size: '1024x1024', usage: { input_tokens: 50, input_tokens_details: { image_tokens: 0, text_tokens: 50 }, output_tokens: 4160, total_tokens: 4210 } }), IMAGES_USAGE_KEYS);
}
// An OCR answer of 100 pages: ~3 KB of markdown each, and with include_image_base64 one ~100 KB image per page.
for (const withImages of [false, true]) {
  const markdown = '| Item | Qty | Price |\n|---|---|---|\n' + '| Widget, large | 3 | $4.50 |\n'.repeat(90);
  const image = withImages ? [{ id: 'img-0.jpeg', top_left_x: 10, top_left_y: 20, bottom_right_x: 300, bottom_right_y: 400, image_base64: 'data:image/jpeg;base64,' + Buffer.alloc(75_000, 9).toString('base64') }] : [];
  const pages = Array.from({ length: 100 }, (_, index) => ({ index, markdown, images: image, dimensions: { dpi: 200, height: 2200, width: 1700 } }));
  measure(`OCR answer, 100 pages${withImages ? ' with images' : ''}`, JSON.stringify({ pages, model: 'mistral-ocr-2512', document_annotation: null, usage_info: { pages_processed: 100, doc_size_bytes: 3_412_000 } }), OCR_USAGE_KEYS);
}
