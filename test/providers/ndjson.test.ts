import { describe, expect, it } from 'vitest';
import { LineFramer } from '../../src/providers/ndjson.js';

const enc = new TextEncoder();

/** Pushes `text` in `step`-byte chunks (then ends the body when `end`), and gives the lines handed on. */
function lines(text: string | Uint8Array, step: number, end = true): string[] {
  const bytes = typeof text === 'string' ? enc.encode(text) : text;
  const out: string[] = [];
  const framer = new LineFramer();
  for (let i = 0; i < bytes.length; i += step) framer.push(bytes.subarray(i, i + step), (line) => out.push(line));
  if (end) framer.end((line) => out.push(line));
  return out;
}

describe('LineFramer (newline-delimited JSON)', () => {
  const BODY = '{"event_type":"stream-start"}\n{"event_type":"text-generation","text":"Grüße 🌍"}\n{"event_type":"stream-end"}\n';
  const EXPECTED = ['{"event_type":"stream-start"}', '{"event_type":"text-generation","text":"Grüße 🌍"}', '{"event_type":"stream-end"}'];

  it('hands on every line once, in order, whatever the chunking (multi-byte characters split across chunks included)', () => {
    for (const step of [1, 2, 3, 7, 29, 30, 1000]) expect(lines(BODY, step), `step ${step}`).toEqual(EXPECTED);
  });

  it('drops the CR of CRLF line ends and skips empty lines', () => {
    expect(lines('{"a":1}\r\n\r\n\n{"b":2}\r\n', 3)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('hands on an unfinished last line only when the body ends', () => {
    expect(lines('{"a":1}\n{"b":2}', 4, false)).toEqual(['{"a":1}']);
    expect(lines('{"a":1}\n{"b":2}', 4, true)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('says when it holds part of a line', () => {
    const framer = new LineFramer();
    framer.push(enc.encode('{"a":'), () => {});
    expect(framer.midLine).toBe(true);
    framer.push(enc.encode('1}\n'), () => {});
    expect(framer.midLine).toBe(false);
  });
});
