import { describe, expect, it } from 'vitest';
import { keyMaskFor, maskKey, maskingSource } from '../../src/proxy/key-mask.js';
import type { ChunkSource } from '../../src/proxy/types.js';

const KEY = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123';
const m = keyMaskFor(KEY)!;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

/** A source giving `chunks` one read each. */
function sourceOf(chunks: Uint8Array[]): ChunkSource & { cancelled: boolean } {
  let i = 0;
  const s = { cancelled: false, read: async () => (i < chunks.length ? { done: false as const, value: chunks[i++]! } : { done: true as const }), cancel: () => void (s.cancelled = true) };
  return s;
}

async function readAll(source: ChunkSource): Promise<string> {
  let out = '';
  for (let next = await source.read(); !next.done; next = await source.read()) out += text(next.value);
  return out;
}

describe('the provider key masked in an error body', () => {
  it('names a long key by its last four characters, a short one not at all', () => {
    expect(text(m.mask)).toBe('[provider key …0123]');
    expect(text(keyMaskFor('short-key')!.mask)).toBe('[provider key]');
    expect(keyMaskFor(null)).toBeNull();
    expect(keyMaskFor('')).toBeNull();
  });

  it('masks every occurrence in a whole body, and returns a body without one as it is', () => {
    const body = bytes(`{"a":"Bearer ${KEY}","b":"${KEY}${KEY}"}`);
    expect(text(maskKey(body, m))).toBe('{"a":"Bearer [provider key …0123]","b":"[provider key …0123][provider key …0123]"}');
    const clean = bytes('{"error":"sk-proj-abc but not the key"}');
    expect(maskKey(clean, m)).toBe(clean);
  });

  it('masks a key split across chunks of every size, losing and adding no other byte', async () => {
    const body = `data: {"message":"got Bearer ${KEY}, and ${KEY}"} sk-proj-abc\n\n`;
    const want = body.replaceAll(KEY, '[provider key …0123]');
    const all = bytes(body);
    for (let size = 1; size <= all.length; size++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < all.length; i += size) chunks.push(all.subarray(i, i + size));
      expect(await readAll(maskingSource(sourceOf(chunks), m)), `chunks of ${size}`).toBe(want);
    }
  });

  it('passes cancel through', () => {
    const source = sourceOf([]);
    maskingSource(source, m).cancel();
    expect(source.cancelled).toBe(true);
  });
});
