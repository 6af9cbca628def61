import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writerEntry } from '../../src/store/writer-spawn.js';

describe('writerEntry', () => {
  it('puts the writer thread entry beside the Bun binary, in its embedded file system', () => {
    expect(fileURLToPath(writerEntry('/$bunfs/root/tokometer'))).toBe('/$bunfs/root/store/writer-entry.js');
  });

  it('puts it beside the Node build entry, where tsc writes it', () => {
    const entry = fileURLToPath(new URL('../../dist/js/main.js', import.meta.url));
    const writer = fileURLToPath(writerEntry(entry));
    expect(writer).toBe(fileURLToPath(new URL('../../dist/js/store/writer-entry.js', import.meta.url)));
    expect(existsSync(writer)).toBe(true);
  });
});
