import { describe, expect, it } from 'vitest';
import { bodyText, chatCall, fixture, jsonAnswer, SECRET } from './fakes.js';

const GEMINI = 'providers:\n  gemini: { base_url: "http://upstream.invalid", api_key: "g-key" }\n';
const ANSWER = '{"candidates":[],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":5},"modelVersion":"gemini-2.5-flash"}';

function geminiCall(method: string, url: string) {
  const call = chatCall(method === 'GET' ? '' : { contents: [] }, { 'x-goog-api-key': SECRET });
  return { ...call, method, url };
}

describe('Gemini query parameters that hide the usage', () => {
  it('are dropped from a metered request before it is forwarded, and kept on others (a file download keeps alt=media)', async () => {
    const f = fixture(() => jsonAnswer(ANSWER), {}, undefined, GEMINI);
    await bodyText(await f.handle(geminiCall('POST', '/proxy/gemini/v1beta/models/gemini-2.5-flash:generateContent?fields=candidates&%24alt=proto&callback=f')));
    await bodyText(await f.handle(geminiCall('GET', '/proxy/gemini/v1beta/files/abc:download?alt=media')));
    expect(f.upstream.requests.map((r) => r.url)).toEqual([
      'http://upstream.invalid/v1beta/models/gemini-2.5-flash:generateContent',
      'http://upstream.invalid/v1beta/files/abc:download?alt=media',
    ]);
  });
});
