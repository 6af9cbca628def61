import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findRepeatedKey, timesWord, topLevelKeyRepeats } from '../../src/lib/json-repeated-key.js';

/** `key` as a JSON string with every character escaped (`"\u0061"` for "a"): the same key, written another way. */
const escaped = (key: string) => `"${[...key].map((ch) => [...ch].map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')).join('')}"`;

/** `object`'s JSON text with `key` written once more, escaped, at the end. */
const withRepeat = (object: Record<string, unknown>, key: string, pretty: boolean) => {
  const text = JSON.stringify(object, null, pretty ? 2 : undefined);
  return `${text.slice(0, text.lastIndexOf('}'))}, ${escaped(key)} : 1 }`;
};

const objects = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 8 });

describe('repeated keys in JSON text', () => {
  it('finds the key, where it is and how often, escapes read', () => {
    expect(findRepeatedKey('{"a":1,"b":{"c":[{"d":1,"d":2}]},"a":3}')).toEqual({ path: ['b', 'c', '0'], key: 'd', times: 2 });
    expect(findRepeatedKey('{"a":1,"b":{"c":[{"d":1,"d":2}]},"a":3}', 1)).toEqual({ path: [], key: 'a', times: 2 });
    expect(findRepeatedKey('[1, {"x":"}", "y":2}, {"z":1, "\\u007a":2, "z":3}]')).toEqual({ path: ['2'], key: 'z', times: 3 });
    expect(findRepeatedKey('{"a":"\\"a\\":1","b":{"a":2},"c":["a","a"]}')).toBeNull();
    expect(timesWord(2)).toBe('twice');
    expect(timesWord(4)).toBe('4 times');
  });

  it('topLevelKeyRepeats: colons in strings and deeper objects are not members', () => {
    expect(topLevelKeyRepeats('{"at":"12:30","org:team":"a"}', 2)).toBe(false);
    expect(topLevelKeyRepeats('{"a":{"x":1,"x":2}}', 1)).toBe(false);
    expect(topLevelKeyRepeats('{"a":"x:y", "a" : 1}', 1)).toBe(true);
  });

  it('property: JSON.stringify output never repeats a key', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(findRepeatedKey(text)).toBeNull();
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) expect(topLevelKeyRepeats(text, Object.keys(value).length)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('property: a top-level key written once more, escaped, is found', () => {
    fc.assert(
      fc.property(objects, fc.nat(), fc.boolean(), (object, pick, pretty) => {
        const keys = Object.keys(object);
        const key = keys[pick % keys.length]!;
        const text = withRepeat(object, key, pretty);
        expect(Object.keys(JSON.parse(text) as object)).toHaveLength(keys.length);
        expect(topLevelKeyRepeats(text, keys.length)).toBe(true);
        expect(findRepeatedKey(text, 1)).toEqual({ path: [], key, times: 2 });
      }),
      { numRuns: 500 },
    );
  });
});
