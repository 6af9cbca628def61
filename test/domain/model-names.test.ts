import { describe, expect, it } from 'vitest';
import { MAX_MODEL_NAME_BYTES, isModelNameTooLong, storedModelName } from '../../src/domain/model-names.js';
import { utf8Length } from '../../src/lib/utf8-length.js';

const bytes = (s: string) => new TextEncoder().encode(s).length;

describe('storedModelName: a model name of at most 256 UTF-8 bytes', () => {
  it('keeps a name of up to 256 bytes as it is', () => {
    expect(storedModelName('gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(storedModelName('a'.repeat(256))).toBe('a'.repeat(256));
    expect(storedModelName('é'.repeat(128))).toBe('é'.repeat(128)); // 256 bytes
    expect(storedModelName(null)).toBeNull();
  });

  it('cuts a longer one to its first 253 bytes of whole characters and "…" (3 bytes)', () => {
    expect(storedModelName('a'.repeat(257))).toBe(`${'a'.repeat(253)}…`);
    expect(bytes(storedModelName('a'.repeat(3000)))).toBe(256);
    // 'é' is 2 bytes: 126 of them (252 bytes) fit in 253, the 127th would not.
    expect(storedModelName('é'.repeat(129))).toBe(`${'é'.repeat(126)}…`);
    // '🎉' is 4 bytes (a surrogate pair): 63 (252 bytes), never half of the 64th.
    const cut = storedModelName('🎉'.repeat(65));
    expect(cut).toBe(`${'🎉'.repeat(63)}…`);
    expect(bytes(cut)).toBe(255);
    // 'x' then 3-byte '中': 1 + 84 × 3 = 253 bytes.
    expect(storedModelName(`x${'中'.repeat(100)}`)).toBe(`x${'中'.repeat(84)}…`);
  });

  it('is idempotent: a stored name stores as itself (repricing rolls up names read back from calls)', () => {
    for (const name of ['a'.repeat(3000), 'é'.repeat(200), '🎉'.repeat(100), `x${'中'.repeat(100)}`, 'gpt-4o']) {
      const once = storedModelName(name);
      expect(storedModelName(once)).toBe(once);
    }
  });

  it('counts bytes as TextEncoder does', () => {
    for (const s of ['', 'abc', 'é', '中', '🎉', 'a\ud800b', '\udc00', `${'é'.repeat(86)}`]) expect(utf8Length(s)).toBe(bytes(s));
    expect(isModelNameTooLong('é'.repeat(128))).toBe(false);
    expect(isModelNameTooLong('é'.repeat(129))).toBe(true);
    expect(isModelNameTooLong('中'.repeat(85))).toBe(false); // 255 bytes
    expect(isModelNameTooLong('中'.repeat(86))).toBe(true); // 258 bytes
    expect(MAX_MODEL_NAME_BYTES).toBe(256);
  });
});
