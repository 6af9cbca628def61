import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pipeOutput } from '../../src/cli/output.js';

/** A stdout stand-in whose writes fail with `code` after `okWrites` successful ones, as Node reports it (an 'error' event) or as Bun may (a throw). */
function failingStream(code: string, okWrites: number, how: 'event' | 'throw') {
  const written: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (written.push(String(chunk)), done()) });
  const write = stream.write.bind(stream);
  let n = 0;
  stream.write = ((text: string) => {
    if (n++ < okWrites) return write(text);
    const error = Object.assign(new Error(`write ${code}`), { code });
    if (how === 'throw') throw error;
    process.nextTick(() => stream.emit('error', error));
    return false;
  }) as typeof stream.write;
  return { stream, written };
}

describe('the CLI output edge', () => {
  for (const how of ['event', 'throw'] as const) {
    it(`ends quietly with exit 0 when the reader has gone (EPIPE as ${how})`, async () => {
      const { stream, written } = failingStream('EPIPE', 1, how);
      const exits: number[] = [];
      let err = '';
      const out = pipeOutput(stream, (t) => void (err += t), (code) => void exits.push(code));
      out('first\n');
      out('second\n');
      await new Promise((r) => setImmediate(r));
      out('third\n');
      expect(written).toEqual(['first\n']);
      expect(exits).toEqual([0]);
      expect(err).toBe('');
    });
  }

  it('ends with exit 1 and one line on stderr for any other write error', async () => {
    const { stream } = failingStream('EBADF', 0, 'event');
    const exits: number[] = [];
    let err = '';
    const out = pipeOutput(stream, (t) => void (err += t), (code) => void exits.push(code));
    out('x\n');
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([1]);
    expect(err).toBe('tokometer: cannot write the output: write EBADF\n');
  });
});
