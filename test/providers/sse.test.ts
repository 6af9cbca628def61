import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseFramer } from '../../src/providers/sse.js';
import type { SseFrame } from '../../src/providers/types.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/openai');
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Run {
  frames: SseFrame[];
  raws: Uint8Array[];
  /** How many of the frames came from end() (0 or 1). */
  flushed: number;
}

function run(chunks: Uint8Array[]): Run {
  const framer = new SseFramer();
  const frames: SseFrame[] = [];
  const raws: Uint8Array[] = [];
  const sink = (frame: SseFrame, raw: Uint8Array): void => {
    frames.push(frame);
    raws.push(raw.slice());
  };
  for (const chunk of chunks) framer.push(chunk, sink);
  const before = frames.length;
  framer.end(sink);
  return { frames, raws, flushed: frames.length - before };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Byte equality without vitest's per-element deep-equal cost (the split loops run thousands of times). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

const key = (r: Run): string => JSON.stringify(r.frames);

function splitAt(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const cuts = [...new Set(points)].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    chunks.push(bytes.subarray(prev, c));
    prev = c;
  }
  return chunks;
}

/** A frame as the framer gives it: `data`, and the event name ('' when the frame has none). */
const frame = (data: string, event = ''): SseFrame => ({ event, data });

/** Runs text chunks through a framer; `texts` are the raw frames decoded. */
const runText = (...chunks: string[]): Run & { texts: string[] } => {
  const out = run(chunks.map((c) => enc.encode(c)));
  return { ...out, texts: out.raws.map((r) => dec.decode(r)) };
};

const sseFixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.sse'));
const variants: Array<[string, (s: string) => string]> = [
  ['LF', (s) => s],
  ['CRLF', (s) => s.replaceAll('\n', '\r\n')],
  ['CR', (s) => s.replaceAll('\n', '\r')],
];

describe('SseFramer on fixtures', () => {
  it('has stream fixtures to test', () => {
    expect(sseFixtures.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of sseFixtures) {
    const text = readFileSync(join(FIXTURES, name), 'utf8');
    const reference = run([enc.encode(text)]);

    for (const [label, convert] of variants) {
      const input = enc.encode(convert(text));

      it(`${name} (${label}): same frames for a split at every byte, raws rebuild the input`, () => {
        const whole = run([input]);
        expect(whole.frames).toEqual(reference.frames);
        expect(concat(whole.raws)).toEqual(input);
        const expected = key(reference);
        const bad: number[] = [];
        for (let k = 0; k <= input.length; k++) {
          const split = run([input.subarray(0, k), input.subarray(k)]);
          if (key(split) !== expected || !sameBytes(concat(split.raws), input)) bad.push(k);
        }
        expect(bad).toEqual([]);
      });

      it(`${name} (${label}): one byte at a time`, () => {
        const bytes = run(Array.from(input, (b) => Uint8Array.of(b)));
        expect(key(bytes)).toBe(key(reference));
        expect(sameBytes(concat(bytes.raws), input)).toBe(true);
      });
    }

    it(`${name}: random splits (fast-check)`, () => {
      const input = enc.encode(text);
      fc.assert(
        fc.property(fc.array(fc.integer({ min: 0, max: input.length }), { maxLength: 40 }), (points) => {
          const out = run(splitAt(input, points));
          expect(key(out)).toBe(key(reference));
          expect(sameBytes(concat(out.raws), input)).toBe(true);
        }),
        { numRuns: 200 },
      );
    });

    it(`${name}: every raw ends with a blank line and decodes to whole frames`, () => {
      expect(reference.flushed).toBe(0);
      for (const raw of reference.raws) expect(dec.decode(raw).endsWith('\n\n')).toBe(true);
    });
  }
});

describe('SseFramer line and field rules', () => {
  it('reads data and event fields, removing one optional space after the colon', () => {
    expect(runText('event: ping\ndata: {"a":1}\n\ndata:{"b":2}\n\ndata:  two spaces\n\n').frames).toEqual([frame('{"a":1}', 'ping'), frame('{"b":2}'), frame(' two spaces')]);
  });

  it('joins multiple data lines with \\n and treats a bare `data` line as empty', () => {
    expect(runText('data: first\ndata: second\ndata\ndata: fourth\n\n').frames).toEqual([frame('first\nsecond\n\nfourth')]);
  });

  it('ignores comment lines and still emits comment-only frames', () => {
    const out = runText(': OPENROUTER PROCESSING\n\n: keep-alive\ndata: x\n\n');
    expect(out.frames).toEqual([frame(''), frame('x')]);
    expect(out.texts).toEqual([': OPENROUTER PROCESSING\n\n', ': keep-alive\ndata: x\n\n']);
  });

  it('ignores id, retry and unknown fields, keeping their bytes', () => {
    const text = 'id: 7\nretry: 1000\nfoo: bar\nevent: message_start\ndata: {}\n\n';
    const out = runText(text);
    expect(out.frames).toEqual([frame('{}', 'message_start')]);
    expect(dec.decode(concat(out.raws))).toBe(text);
  });

  it('handles CRLF, CR and mixed line endings', () => {
    const out = runText('data: a\r\n\r\nevent: e\rdata: b\r\rdata: c\r\n\ndata: d\n\r\ndata: e\n\r');
    expect(out.frames).toEqual([frame('a'), frame('b', 'e'), frame('c'), frame('d'), frame('e')]);
    expect(out.texts).toEqual(['data: a\r\n\r\n', 'event: e\rdata: b\r\r', 'data: c\r\n\n', 'data: d\n\r\n', 'data: e\n\r']);
    // The final CR might be half of a CRLF, so that frame waits for end().
    expect(out.flushed).toBe(1);
  });

  it('says when what it holds is one whole frame waiting only for the byte after its last CR', () => {
    const framer = new SseFramer();
    const seen: SseFrame[] = [];
    const sink = (f: SseFrame): void => void seen.push(f);
    const holds = (text: string) => {
      framer.push(enc.encode(text), sink);
      return framer.holdsWholeFrame;
    };
    expect(holds('data: a\r')).toBe(false);
    expect(holds('\r')).toBe(true);
    expect(holds('\n')).toBe(false);
    expect(seen).toEqual([frame('a')]);
    // CRLF: the blank line's CR is the last byte so far.
    expect(holds('data: b\r\n\r')).toBe(true);
    expect(holds('\n')).toBe(false);
    // A frame cut anywhere else is not whole; neither is a stray blank line's CR.
    for (const cut of ['data: c', 'data: c\n', 'data: c\r\n', '\r']) {
      const f = new SseFramer();
      f.push(enc.encode(cut), sink);
      expect(f.holdsWholeFrame, JSON.stringify(cut)).toBe(false);
    }
    framer.push(enc.encode('data: d\n\r'), sink);
    expect(framer.holdsWholeFrame).toBe(true);
    framer.end(sink);
    expect(framer.holdsWholeFrame).toBe(false);
    expect(seen.map((f) => f.data)).toEqual(['a', 'b', 'd']);
  });

  it('keeps a CRLF split across chunks together', () => {
    const out = runText('data: a\r', '\n\r', '\ndata: b\r\n\r', '\n');
    expect(out.frames).toEqual([frame('a'), frame('b')]);
    expect(out.texts).toEqual(['data: a\r\n\r\n', 'data: b\r\n\r\n']);
  });

  it('emits blank lines between frames as empty frames so no byte is lost', () => {
    const out = runText('\ndata: a\n\n\n');
    expect(out.frames).toEqual([frame(''), frame('a'), frame('')]);
    expect(out.texts).toEqual(['\n', 'data: a\n\n', '\n']);
  });

  it('emits an unterminated trailing frame from end()', () => {
    const out = runText('data: a\n\ndata: [DONE]\n');
    expect(out.frames).toEqual([frame('a'), frame('[DONE]')]);
    expect(out.flushed).toBe(1);
    expect(out.texts[1]).toBe('data: [DONE]\n');
  });

  it('emits nothing from end() when every frame was complete, and can be reused after end()', () => {
    const framer = new SseFramer();
    const seen: SseFrame[] = [];
    const sink = (f: SseFrame): void => void seen.push(f);
    framer.push(enc.encode('data: a\n\n'), sink);
    framer.end(sink);
    framer.push(enc.encode('data: b'), sink);
    framer.end(sink);
    expect(seen).toEqual([frame('a'), frame('b')]);
  });

  it('decodes UTF-8 split inside a character', () => {
    const bytes = enc.encode('data: 巴黎 é 🚀\n\n');
    for (let k = 0; k <= bytes.length; k++) {
      expect(run([bytes.subarray(0, k), bytes.subarray(k)]).frames).toEqual([frame('巴黎 é 🚀')]);
    }
  });

  it('drops a byte order mark at the start of the stream but keeps its bytes', () => {
    const text = '\uFEFFdata: a\n\n';
    const out = run([enc.encode(text)]);
    expect(out.frames).toEqual([frame('a')]);
    expect(concat(out.raws)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('data: a\n\n')]));
  });

  it('hands out views of the pushed chunk without modifying it, and of its own buffer for frames completed there', () => {
    const chunk = enc.encode('data: a\n\ndata: b\n\ndata: c');
    const copy = chunk.slice();
    const raws: Uint8Array[] = [];
    const framer = new SseFramer();
    framer.push(chunk, (_f, raw) => raws.push(raw));
    expect(raws.map((r) => r.buffer === chunk.buffer)).toEqual([true, true]);
    framer.push(enc.encode('\n\n'), (_f, raw) => raws.push(raw));
    expect(dec.decode(raws[2])).toBe('data: c\n\n');
    // A frame completed from earlier chunks is a view into the framer's own buffer (valid until the next push).
    expect(raws.map((r) => framer.owns(r as Uint8Array))).toEqual([false, false, true]);
    expect(chunk).toEqual(copy);
  });

  it('ignores empty chunks', () => {
    expect(runText('data: a', '', '\n', '', '\n').frames).toEqual([frame('a')]);
  });

  it('handles a large frame arriving in many small chunks', () => {
    const payload = 'x'.repeat(200_000);
    const input = enc.encode(`data: ${payload}\n\ndata: tail\n\n`);
    const chunks = splitAt(input, Array.from({ length: Math.ceil(input.length / 97) }, (_, i) => i * 97));
    const out = run(chunks);
    expect(out.frames.map((f) => f.data.length)).toEqual([payload.length, 4]);
    expect(out.frames[0]?.data === payload).toBe(true);
    expect(sameBytes(concat(out.raws), input)).toBe(true);
  });
});
