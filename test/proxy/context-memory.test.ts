import { describe, expect, it } from 'vitest';
import { ContextMemory } from '../../src/proxy/context-memory.js';

describe('ContextMemory', () => {
  it('remembers the tokens of each id, the latest write winning', () => {
    const memory = new ContextMemory(10);
    memory.remember('resp_1', 1200);
    memory.remember('conv:c', 300);
    memory.remember('conv:c', 900);
    expect(memory.tokensOf('resp_1')).toBe(1200);
    expect(memory.tokensOf('conv:c')).toBe(900);
    expect(memory.tokensOf('resp_2')).toBeUndefined();
  });

  it('keeps at most its capacity, forgetting the entry written longest ago', () => {
    const memory = new ContextMemory(2);
    memory.remember('a', 1);
    memory.remember('b', 2);
    memory.remember('a', 3); // rewritten: now the newest
    memory.remember('c', 4);
    expect(memory.size).toBe(2);
    expect(memory.tokensOf('b')).toBeUndefined();
    expect(memory.tokensOf('a')).toBe(3);
    expect(memory.tokensOf('c')).toBe(4);
  });
});
