import { describe, expect, it } from 'vitest';
import { sourceOf } from '../../src/proxy/stream-body.js';
import type { StreamBody } from '../../src/proxy/types.js';
import { spliceIntoStreamOptions } from '../../src/providers/stream-options-splice.js';
import { chatCall, fixture } from '../proxy/fakes.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The raw body after the splice, as text; null when the splice refuses it. */
function splice(raw: string): string | null {
  const out = spliceIntoStreamOptions(enc.encode(raw));
  return out === null ? null : dec.decode(out);
}

describe('include_usage turned on inside an existing stream_options, in the raw bytes', () => {
  it('leaves every other byte of the request as the client sent it (a 64-bit seed keeps its value)', async () => {
    const f = fixture(() => ({
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: sourceOf((async function* () {})()),
      bytes: () => Promise.reject(new Error('a stream is not read whole')),
    }));
    const raw = '{"model":"gpt-4o-mini","stream":true,"seed":9007199254740993,"stream_options":{"include_obfuscation":false},"messages":[]}';
    await f.handle(chatCall(raw)).then((res) => (res.body as StreamBody).pump(() => {}).catch(() => {}));
    const sent = dec.decode(f.upstream.requests[0]?.body ?? new Uint8Array());
    expect(sent).toBe('{"model":"gpt-4o-mini","stream":true,"seed":9007199254740993,"stream_options":{"include_usage":true,"include_obfuscation":false},"messages":[]}');
  });

  it('adds the member first in the object, keeping its whitespace, strings with braces and escapes, and non-ASCII text', () => {
    expect(splice('{"a":"x\\"}{","stream_options":{"include_obfuscation":false},"seed":9007199254740993}')).toBe(
      '{"a":"x\\"}{","stream_options":{"include_usage":true,"include_obfuscation":false},"seed":9007199254740993}',
    );
    expect(splice('{ "stream_options" : { } }')).toBe('{ "stream_options" : {"include_usage":true } }');
    expect(splice('{"stream\\u005foptions":{"é":"ü"}}')).toBe('{"stream\\u005foptions":{"include_usage":true,"é":"ü"}}');
  });

  it('replaces a null stream_options or a null include_usage in place', () => {
    expect(splice('{"stream_options":null,"n":[1,{"b":2}]}')).toBe('{"stream_options":{"include_usage":true},"n":[1,{"b":2}]}');
    expect(splice('{"stream_options":{"include_usage":null, "x":1}}')).toBe('{"stream_options":{"include_usage":true, "x":1}}');
  });

  it('changes the last stream_options of a body that repeats it (the one JSON parsers keep)', () => {
    expect(splice('{"stream_options":{"a":1},"stream_options":{"b":2}}')).toBe('{"stream_options":{"a":1},"stream_options":{"include_usage":true,"b":2}}');
  });

  it('replaces an explicit include_usage: false in place (the last one of repeated keys)', () => {
    expect(splice('{"stream_options":{"include_usage":false}}')).toBe('{"stream_options":{"include_usage":true}}');
    expect(splice('{"stream_options":{"include_usage" : false ,"x":1}}')).toBe('{"stream_options":{"include_usage" : true ,"x":1}}');
    expect(splice('{"stream_options":{"include_usage":true,"include_usage":false}}')).toBe('{"stream_options":{"include_usage":true,"include_usage":true}}');
  });

  it('refuses what it must leave as sent: include_usage already true, a stream_options that is not an object, none at all', () => {
    expect(splice('{"stream_options":{"include_usage":true}}')).toBeNull();
    expect(splice('{"stream_options":"yes"}')).toBeNull();
    expect(splice('{"x":1}')).toBeNull();
    expect(splice('[1]')).toBeNull();
  });

  it('scans a deeply nested body without recursion (JSON.stringify overflowed the stack on it)', () => {
    const depth = 20_000;
    const raw = `{"model":"gpt-4o-mini","stream":true,"stream_options":{},"messages":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    expect(splice(raw)).toBe(raw.replace('"stream_options":{}', '"stream_options":{"include_usage":true}'));
  });
});
