import type { Usage } from '../providers/types.js';
import { err, ok, type Result } from '../lib/result.js';
import { picoAt, type Rate, type Rates } from './rates.js';
import type { CostBreakdown } from './types.js';

const ZERO: Rate = { base: 0, tiers: [] };

/**
 * The cost of one call from its normalised usage and integer rates, in nano-USD.
 *
 * Exact: every dimension is (integer tokens) × (integer pico-USD per token) in BigInt;
 * the pico sum is rounded half up to nano once at the end.
 *
 * Dimensions (counts follow the inclusion rules of `Usage`):
 * - uncached input = input − cacheRead − cacheWrite5m − cacheWrite1h (− inputAudio when audio is priced)
 * - cache read at cacheRead (fallback input); cache write 5m at cacheWrite5m → cacheWrite → input;
 *   cache write 1h at cacheWrite1h → cacheWrite → input (the catalog's ancestor rules)
 * - audio input at inputAudio, only when priced (else it stays in uncached input)
 * - output (− outputAudio, − reasoning when each is priced) at output; reasoning is part of
 *   output and is never counted twice
 * Tiered prices are chosen by the TOTAL input tokens (cache included) and apply to all
 * tokens of the dimension.
 *
 * Returns an error for usage that breaks the inclusion rules (cache > input…): such a
 * call is recorded unpriced rather than priced from nonsense.
 */
export function computeCost(usage: Usage, rates: Rates): Result<{ costNano: number; breakdown: CostBreakdown }> {
  const counts = {
    input: usage.inputTokens,
    output: usage.outputTokens,
    cacheRead: usage.cacheReadTokens,
    cacheWrite5m: usage.cacheWrite5mTokens,
    cacheWrite1h: usage.cacheWrite1hTokens,
    reasoning: usage.reasoningTokens,
    inputAudio: usage.inputAudioTokens ?? 0,
    outputAudio: usage.outputAudioTokens ?? 0,
  };
  for (const [name, n] of Object.entries(counts)) {
    if (!Number.isSafeInteger(n) || n < 0) return err(`invalid usage: ${name} tokens = ${n}`);
  }
  const cacheWrites = counts.cacheWrite5m + counts.cacheWrite1h;
  if (counts.cacheRead + cacheWrites > counts.input) {
    return err(`inconsistent usage: cache tokens (${counts.cacheRead + cacheWrites}) exceed input tokens (${counts.input})`);
  }

  const audioIn = rates.inputAudio ? counts.inputAudio : 0;
  // Providers report cached tokens and audio tokens separately; when they overlap,
  // the overlap can only be cached audio.
  const cachedAudio = Math.max(0, counts.cacheRead + cacheWrites + audioIn - counts.input);
  if (cachedAudio > Math.min(audioIn, counts.cacheRead)) {
    return err(`inconsistent usage: audio input tokens (${audioIn}) exceed input tokens (${counts.input})`);
  }
  const outAudio = rates.outputAudio ? counts.outputAudio : 0;
  const reasoning = rates.outputReasoning ? counts.reasoning : 0;
  if (outAudio + reasoning > counts.output) {
    return err(`inconsistent usage: audio/reasoning output tokens (${outAudio + reasoning}) exceed output tokens (${counts.output})`);
  }

  const total = counts.input;
  const input = rates.input ?? ZERO;
  const cacheRead = rates.cacheRead ?? input;
  const cacheWrite = rates.cacheWrite ?? input;
  const output = rates.output ?? ZERO;
  const cost = (tokens: number, rate: Rate): bigint => BigInt(tokens) * BigInt(picoAt(rate, total));

  const cachedAudioRate = rates.cacheAudioRead ?? cacheRead;
  const pico = {
    uncachedInput: cost(counts.input - counts.cacheRead - cacheWrites - audioIn + cachedAudio, input),
    cacheRead: cost(counts.cacheRead - cachedAudio, cacheRead) + cost(cachedAudio, cachedAudioRate),
    cacheWrite5m: cost(counts.cacheWrite5m, rates.cacheWrite5m ?? cacheWrite),
    cacheWrite1h: cost(counts.cacheWrite1h, rates.cacheWrite1h ?? cacheWrite),
    inputAudio: cost(audioIn - cachedAudio, rates.inputAudio ?? ZERO),
    output: cost(counts.output - outAudio - reasoning, output),
    outputAudio: cost(outAudio, rates.outputAudio ?? ZERO),
    outputReasoning: cost(reasoning, rates.outputReasoning ?? ZERO),
  };
  let sum = 0n;
  const breakdown = {} as CostBreakdown;
  for (const [k, v] of Object.entries(pico) as Array<[keyof CostBreakdown, bigint]>) {
    sum += v;
    breakdown[k] = picoToNano(v);
  }
  return ok({ costNano: picoToNano(sum), breakdown });
}

/** Rounds non-negative pico-USD to nano-USD, half up. */
export function picoToNano(pico: bigint): number {
  return Number((pico + 500n) / 1000n);
}
