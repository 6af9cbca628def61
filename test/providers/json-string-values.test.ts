import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringValuesLength } from '../../src/providers/json-string-values.js';

describe('stringValuesLength', () => {
  it('sums the string values of the key at any depth, as written', () => {
    expect(stringValuesLength('{"parts":[{"text":"abc"},{"text":"de","thought":true}]}', '"text"')).toBe(5);
    // Spaces and newlines around the colon (pretty-printed JSON).
    expect(stringValuesLength('{"text" :\n "abcd"}', '"text"')).toBe(4);
    // Escapes count as written: a 1, \" 2, \\ 2, \u00e9 6: 11 for 'a"\é', 4 characters decoded.
    expect(stringValuesLength(String.raw`{"text":"a\"\\\u00e9"}`, '"text"')).toBe(1 + 2 + 2 + 6);
    expect(stringValuesLength('{"text":""}', '"text"')).toBe(0);
  });

  it('counts nothing for the word as a value, a value that is not a string, another key, or a value cut short', () => {
    expect(stringValuesLength('{"type":"text","data":"xyz"}', '"text"')).toBe(0);
    expect(stringValuesLength('["text","abc"]', '"text"')).toBe(0);
    expect(stringValuesLength('{"text":null,"text2":"abc","n":{"text":5}}', '"text"')).toBe(0);
    expect(stringValuesLength('{"text":"ab","more":{"text":"unfinish', '"text"')).toBe(2);
  });

  it('property: never less than the decoded length of the values, the key inside a value never matched', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 6 }), (texts) => {
        const json = JSON.stringify({ parts: texts.map((text) => ({ text, note: text })) });
        const written = texts.reduce((n, t) => n + JSON.stringify(t).length - 2, 0);
        const measured = stringValuesLength(json, '"text"');
        expect(measured).toBe(written);
        expect(measured).toBeGreaterThanOrEqual(texts.join('').length);
      }),
    );
  });
});
