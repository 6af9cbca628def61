/** The event loop time an Images answer costs the meter: the whole body parsed against `usage` alone (providers/json-keys.ts). Run: `taskset -c 1 node_modules/.bin/bun bench/image-answer-parse.ts`. */
import { pickJsonKeys } from '../src/providers/json-keys.js';
import { parseJsonBytes } from '../src/providers/json.js';
for (const mb of [3, 30]) {
  const b64 = Buffer.alloc(mb * 750_000, 7).toString('base64');
  const body = JSON.stringify({ created: 1, background: 'opaque', data: [{ b64_json: b64 }], output_format: 'png', quality: 'high', size: '1024x1024', usage: { input_tokens: 50, input_tokens_details: { image_tokens: 0, text_tokens: 50 }, output_tokens: 4160, total_tokens: 4210 } });
  const bytes = new TextEncoder().encode(body);
  const full: number[] = [], pick: number[] = [];
  for (let r = 0; r < 7; r++) {
    let t = performance.now(); parseJsonBytes(bytes); full.push(performance.now() - t);
    t = performance.now(); pickJsonKeys(bytes, ['usage']); pick.push(performance.now() - t);
  }
  const med = (a: number[]) => a.sort((x, y) => x - y)[3]!.toFixed(2);
  console.log(`${(bytes.length / 1e6).toFixed(1)} MB: whole parse ${med(full)} ms, usage only ${med(pick)} ms (median of 7)`);
}
