import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer } from './fakes.js';

/**
 * A small JSON answer is handed to the edge whole and metered in a setImmediate right after
 * (buffered-json.ts). Nothing that fails while metering may escape that immediate: with no
 * uncaughtException handler it would end the process, and every call in flight with it.
 */

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');
const ASK = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Capital of France?' }] };

/** The openai adapter with a usage reader that throws (an adapter bug on a shape it did not expect). */
const throwingUsage = (adapter: ProviderAdapter): ProviderAdapter => ({
  ...adapter,
  usageFromJson: () => {
    throw new TypeError("Cannot read properties of undefined (reading 'prompt_tokens')");
  },
});

/** Runs `run` with this process's uncaughtException listeners swapped for one that collects; returns what it collected. */
async function uncaughtDuring(run: () => Promise<void>): Promise<unknown[]> {
  const caught: unknown[] = [];
  const theirs = process.listeners('uncaughtException');
  const mine = (error: unknown) => caught.push(error);
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', mine);
  try {
    await run();
    // Let a rethrow scheduled by the metering immediate surface too.
    await afterImmediates();
  } finally {
    process.off('uncaughtException', mine);
    for (const listener of theirs) process.on('uncaughtException', listener);
  }
  return caught;
}

describe('buffered JSON answers: a throw while metering is contained', () => {
  it('a usage reader that throws: the client gets the answer, the call (and another of the same turn) is recorded with usage unknown, nothing escapes', async () => {
    const f = fixture(() => jsonAnswer(CHAT), {}, throwingUsage);
    let bodies: string[] = [];
    const caught = await uncaughtDuring(async () => {
      const responses = await Promise.all([f.handle(chatCall(ASK)), f.handle(chatCall(ASK))]);
      bodies = await Promise.all(responses.map(bodyText));
      await afterImmediates();
    });
    expect(caught, 'nothing thrown out of the metering immediate').toEqual([]);
    expect(bodies).toEqual([CHAT, CHAT]);
    expect(f.records).toHaveLength(2);
    for (const r of f.records) expect(r).toMatchObject({ outcome: 'ok', status: 200, usageSource: 'unknown', usage: null, costNano: null });
    expect(f.gate.settled.map(([reservation]) => reservation).sort()).toEqual(['r1', 'r2']);
    expect(f.errors).toEqual([]);
  });

  it('a throw while recording (the budget settle): it is logged, every answer of the turn is still recorded, nothing escapes', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const settle = f.gate.settle.bind(f.gate);
    f.gate.settle = (reservation, cost) => {
      if (reservation === 'r1') throw new Error('ledger bug');
      settle(reservation, cost);
    };
    const caught = await uncaughtDuring(async () => {
      const responses = await Promise.all([f.handle(chatCall(ASK)), f.handle(chatCall(ASK))]);
      await Promise.all(responses.map(bodyText));
      await afterImmediates();
    });
    expect(caught, 'nothing thrown out of the metering immediate').toEqual([]);
    expect(f.gate.settled).toEqual([['r2', expect.any(Number)]]);
    // The call whose settle threw is recorded too (recording-faults.test.ts has the rest).
    expect(f.records.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    expect(f.errors).toEqual([{ msg: 'settling a budget reservation failed', fields: { provider: 'openai', reason: 'ledger bug' } }]);
  });
});
