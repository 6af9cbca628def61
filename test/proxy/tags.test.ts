import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_TAG_VALUE_CHARS, TAG_KEY_RE } from '../../src/domain/names.js';
import { MAX_TAGS, MAX_TAGS_HEADER_BYTES, mergeTags, parseTags } from '../../src/proxy/tags.js';

const okValue = (header: string | undefined) => {
  const r = parseTags(header);
  if (!r.ok) throw new Error(`expected ok, got: ${r.error}`);
  return r.value;
};
const errorOf = (header: string) => {
  const r = parseTags(header);
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.value)}`);
  return r.error;
};
const tagsHeader = (n: number) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])));

describe('parseTags: valid headers', () => {
  it('absent, empty or blank header gives no tags', () => {
    expect(okValue(undefined)).toEqual({});
    expect(okValue('')).toEqual({});
    expect(okValue('   ')).toEqual({});
    expect(okValue('{}')).toEqual({});
  });

  it('keeps strings and stringifies numbers and booleans', () => {
    expect(okValue('{"feature":"summarizer","user_tier":"free","tenant_id":"t_8472"}')).toEqual({ feature: 'summarizer', user_tier: 'free', tenant_id: 't_8472' });
    expect(okValue('{"n":42,"f":1.5,"neg":-3,"big":1e21,"t":true,"no":false}')).toEqual({ n: '42', f: '1.5', neg: '-3', big: '1e+21', t: 'true', no: 'false' });
    expect(okValue(' {"a.b:c-d_E9":"x"} ')).toEqual({ 'a.b:c-d_E9': 'x' });
    expect(okValue('{"empty":""}')).toEqual({ empty: '' });
  });

  it('replaces a lone surrogate in a value (valid JSON, not valid Unicode) with U+FFFD, as its UTF-8 bytes would be', () => {
    expect(okValue('{"feature":"a\\ud800b","pair":"\\ud83d\\ude00","end":"x\\udfff"}')).toEqual({ feature: 'a\uFFFDb', pair: '\u{1F600}', end: 'x\uFFFD' });
  });

  it('stores a __proto__ key as data, not as a prototype', () => {
    const tags = okValue('{"__proto__":"x","a":1}');
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.keys(tags)).toEqual(['__proto__', 'a']);
    expect(tags.a).toBe('1');
  });
});

describe('parseTags: malformed headers', () => {
  it('invalid JSON', () => {
    expect(errorOf('{"feature":')).toMatch(/^X-Metering-Tags is not valid JSON: .+/);
    // In tokometer's words on every runtime (tags-json-errors.test.ts), not V8's "position 1".
    expect(errorOf("{'a':1}")).toMatch(/^X-Metering-Tags is not valid JSON: strings take double quotes/);
  });

  it('not an object', () => {
    expect(errorOf('["a"]')).toBe('X-Metering-Tags must be a JSON object, got array');
    expect(errorOf('null')).toBe('X-Metering-Tags must be a JSON object, got null');
    expect(errorOf('"feature=x"')).toBe('X-Metering-Tags must be a JSON object, got string');
    expect(errorOf('12')).toBe('X-Metering-Tags must be a JSON object, got number');
    expect(errorOf('true')).toBe('X-Metering-Tags must be a JSON object, got boolean');
  });

  it('invalid keys', () => {
    expect(errorOf('{"user tier":"free"}')).toBe('X-Metering-Tags: tag "user tier" has an invalid key (allowed: letters, digits, _ . : -, 1-64 chars)');
    expect(errorOf('{"":"x"}')).toBe('X-Metering-Tags: tag "" has an invalid key (allowed: letters, digits, _ . : -, 1-64 chars)');
    expect(errorOf('{"é":"x"}')).toContain('tag "é" has an invalid key');
    expect(errorOf(`{"${'k'.repeat(200)}":"x"}`)).toContain(`tag "${'k'.repeat(77)}..." has an invalid key`);
  });

  it('values of the wrong type', () => {
    expect(errorOf('{"feature":{"a":1}}')).toBe('X-Metering-Tags: value of "feature" must be a string, number or boolean, got object');
    expect(errorOf('{"feature":[1]}')).toBe('X-Metering-Tags: value of "feature" must be a string, number or boolean, got array');
    expect(errorOf('{"feature":null}')).toBe('X-Metering-Tags: value of "feature" must be a string, number or boolean, got null');
    expect(errorOf('{"n":1e999}')).toBe('X-Metering-Tags: value of "n" must be a finite number');
  });

  it('control characters in values or keys (C0, DEL, C1): they would reach the terminal through reports', () => {
    expect(errorOf('{"feature":"a\\u001b]52;c;eA==\\u0007"}')).toBe(
      'X-Metering-Tags: value of "feature" contains a control character (U+001B at position 1); control characters (U+0000-U+001F, U+007F-U+009F) are not allowed',
    );
    expect(errorOf('{"feature":"x\\r\\nforged row"}')).toContain('(U+000D at position 1)');
    for (const c of ['\\u0000', '\\t', '\\u001f', '\\u007f', '\\u0080', '\\u009b', '\\u009f']) {
      expect(errorOf(`{"feature":"a${c}"}`)).toMatch(/^X-Metering-Tags: value of "feature" contains a control character/);
    }
    expect(errorOf('{"fea\\u001bture":"x"}')).toBe('X-Metering-Tags: tag "fea\\u001bture" has an invalid key (allowed: letters, digits, _ . : -, 1-64 chars)');
    // The neighbours of the ranges are fine.
    expect(okValue('{"a":" ~\\u00a0é\\u2028"}')).toEqual({ a: ' ~\u00a0é\u2028' });
  });

  it('too many tags', () => {
    expect(errorOf(tagsHeader(40))).toBe('X-Metering-Tags has 40 tags (at most 32)');
  });

  it('too long', () => {
    const header = JSON.stringify({ a: 'x'.repeat(5000) });
    expect(errorOf(header)).toBe(`X-Metering-Tags is ${header.length} bytes long (at most 4096)`);
  });
});

describe('parseTags: limits at the boundary', () => {
  it('32 tags ok, 33 fail', () => {
    expect(Object.keys(okValue(tagsHeader(MAX_TAGS)))).toHaveLength(32);
    expect(errorOf(tagsHeader(MAX_TAGS + 1))).toBe('X-Metering-Tags has 33 tags (at most 32)');
  });

  it('256-character values ok, 257 fail (counted in characters, not bytes)', () => {
    expect(okValue(JSON.stringify({ v: 'x'.repeat(256) })).v).toHaveLength(256);
    expect(okValue(JSON.stringify({ v: '😀'.repeat(256) })).v).toHaveLength(512);
    expect(errorOf(JSON.stringify({ v: 'x'.repeat(257) }))).toBe('X-Metering-Tags: value of "v" is 257 characters long (at most 256)');
    expect(errorOf(JSON.stringify({ v: 'é'.repeat(257) }))).toBe('X-Metering-Tags: value of "v" is 257 characters long (at most 256)');
  });

  it('64-character keys ok, 65 fail', () => {
    expect(okValue(JSON.stringify({ ['k'.repeat(64)]: 1 }))).toEqual({ ['k'.repeat(64)]: '1' });
    expect(errorOf(JSON.stringify({ ['k'.repeat(65)]: 1 }))).toContain('has an invalid key');
  });

  it('4096-byte header ok, 4097 fails (counted in UTF-8 bytes)', () => {
    const header = (bytes: number) => {
      const base = '{"a":""}';
      return `{"a":"${'x'.repeat(bytes - base.length)}"}`;
    };
    // Values over 256 characters fail on their own, so spread the bytes over tags.
    const spread = (bytes: number) => {
      const parts: string[] = [];
      let used = 2; // {}
      for (let i = 0; used < bytes; i++) {
        const prefix = `${i ? ',' : ''}"k${i}":"`;
        const room = Math.min(200, bytes - used - prefix.length - 1);
        parts.push(`${prefix}${'x'.repeat(room)}"`);
        used += prefix.length + room + 1;
      }
      return `{${parts.join('')}}`;
    };
    expect(spread(4096)).toHaveLength(4096);
    expect(parseTags(spread(4096)).ok).toBe(true);
    expect(errorOf(header(4097))).toBe('X-Metering-Tags is 4097 bytes long (at most 4096)');
    // 1366 three-byte characters: 1,374 UTF-16 units but 4,106 bytes.
    const wide = `{"a":"${'€'.repeat(1366)}"}`;
    expect(errorOf(wide)).toBe('X-Metering-Tags is 4106 bytes long (at most 4096)');
  });
});

describe('mergeTags', () => {
  it('key tags win over request tags', () => {
    const merged = mergeTags({ tenant_id: 't_evil', feature: 'chat' }, { tenant_id: 't_8472' });
    expect(merged).toEqual({ tenant_id: 't_8472', feature: 'chat' });
  });

  it('returns a new object and leaves its inputs alone', () => {
    const request = { a: '1' };
    const key = { b: '2' };
    const merged = mergeTags(request, key);
    expect(merged).not.toBe(request);
    expect(request).toEqual({ a: '1' });
    expect(key).toEqual({ b: '2' });
  });
});

/** An independent statement of SPEC §4, used as the oracle for generated headers. */
function expectedTags(header: string): Record<string, string> | null {
  if (new TextEncoder().encode(header).length > MAX_TAGS_HEADER_BYTES) return null;
  if (header.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(header);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value);
  if (entries.length > MAX_TAGS) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(k)) return null;
    if (typeof v === 'number' && !Number.isFinite(v)) return null;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return null;
    // eslint-disable-next-line no-control-regex
    if (typeof v === 'string' && /[\u0000-\u001f\u007f-\u009f]/.test(v)) return null;
    // Values are stored in Unicode NFC (test/faults/tag-nfc.test.ts).
    const s = typeof v === 'string' ? v.normalize('NFC') : String(v);
    if ([...s].length > MAX_TAG_VALUE_CHARS) return null;
    Object.defineProperty(out, k, { value: s, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

describe('parseTags properties', () => {
  it('never throws on arbitrary strings, and agrees with the rules', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (header) => {
        const result = parseTags(header);
        const expected = expectedTags(header);
        expect(result.ok).toBe(expected !== null);
        if (result.ok) expect(result.value).toEqual(expected);
        else expect(result.error).toMatch(/^X-Metering-Tags/);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts exactly the JSON objects that satisfy every rule', () => {
    const key = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,70}$/), fc.string({ maxLength: 8 }));
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'grapheme', minLength: 250, maxLength: 260 }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
    );
    const header = fc.oneof(
      fc.dictionary(key, value, { maxKeys: 40 }).map((o) => JSON.stringify(o)),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
    );
    fc.assert(
      fc.property(header, (h) => {
        const result = parseTags(h);
        const expected = expectedTags(h);
        expect(result.ok).toBe(expected !== null);
        if (!result.ok) return;
        expect(result.value).toEqual(expected);
        const entries = Object.entries(result.value);
        expect(entries.length).toBeLessThanOrEqual(MAX_TAGS);
        for (const [k, v] of entries) {
          expect(TAG_KEY_RE.test(k)).toBe(true);
          expect(typeof v).toBe('string');
          expect([...v].length).toBeLessThanOrEqual(MAX_TAG_VALUE_CHARS);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
