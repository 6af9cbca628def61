import { BYTES_PER_TOKEN } from '../budget/estimate.js';
import type { Pricer } from '../pricing/pricer.js';

/**
 * The output counted for a non-streamed text answer whose usage was never read though the
 * relay passed its bytes on (BodyObservation.answerBytes): one too large to copy for metering,
 * one cut mid-body. The request's allowance alone (without max_tokens, the 1,024 tokens the
 * budget expects of a key without history) under-counted such an answer by orders of
 * magnitude: a 65 MiB answer holds some 17 million tokens at 4 bytes each.
 *
 * The rule: the larger of the allowance and the bytes' tokens at BYTES_PER_TOKEN (the rule the
 * budget estimate uses for prompts), those at most the model's context window for each answer
 * requested when the catalog gives one (no answer outruns the window that holds its prompt and
 * output; the catalog has no separate maximum output), and at most a max_tokens the request set
 * (a hard cap the provider bills no more than). The bytes are JSON, so they over-count the text
 * (escapes, logprobs: a 64 MiB answer is mostly those, as no model writes 16 million tokens),
 * which the window bounds; an estimate that errs high keeps a budget's cap, one that errs low
 * lets calls past it.
 */

/**
 * The catalog's context window of `model` at `provider` at `at` (ms since the epoch), tokens;
 * undefined when the pricer cannot describe models, names no window, or fails: a window only
 * bounds an estimate, and recording a call never fails for want of one.
 */
export function contextWindowOf(pricer: Partial<Pick<Pricer, 'describe'>>, model: string, provider: string, at: number): number | undefined {
  try {
    return pricer.describe?.(model, provider, at)?.contextWindow;
  } catch {
    return undefined;
  }
}

/** What the answer's output was counted at, and how (for the record's note). */
export interface BytesOutput {
  /** Output tokens counted: `allowance`, or more when the bytes hold more (`basis`). */
  tokens: number;
  /** The request's allowance: its max_tokens, else what the budget expects, times its answers. */
  allowance: number;
  /** Bytes of the answer relayed. */
  bytes: number;
  /** Tokens `bytes` hold at BYTES_PER_TOKEN, before any cap. */
  byBytes: number;
  /** `allowance`: it is at least what the bytes hold (capped); `bytes`: the bytes' tokens; `window`: the context window capped them. */
  basis: 'allowance' | 'bytes' | 'window';
  /** Answers the request asked for (RequestInfo.outputChoices, at least 1). */
  choices: number;
}

/** What bounds the answer's output besides its bytes. */
export interface OutputBounds {
  /** The request's allowance, tokens (all its answers together). */
  allowance: number;
  /** True when the request set its maximum output (max_tokens): `allowance` is then a hard cap. */
  limited: boolean;
  /** The model's context window (tokens of one call), when the catalog gives one. */
  windowTokens: number | undefined;
  /** Answers requested, at least 1. */
  choices: number;
}

/** The output counted for an answer of `bytes` bytes whose usage was never read (see the module's doc). */
export function outputFromBytes(bytes: number, b: OutputBounds): BytesOutput {
  const byBytes = Math.ceil(Math.max(0, bytes) / BYTES_PER_TOKEN);
  const window = b.windowTokens === undefined ? Infinity : b.windowTokens * b.choices;
  const counted = b.limited ? Math.min(byBytes, b.allowance) : Math.min(byBytes, window);
  const base = { allowance: b.allowance, bytes, byBytes, choices: b.choices };
  if (counted <= b.allowance) return { ...base, tokens: b.allowance, basis: 'allowance' };
  return { ...base, tokens: counted, basis: counted < byBytes ? 'window' : 'bytes' };
}

/** An answer whose bytes are not its output (embeddings: vectors): counted at the allowance, whatever its size. */
export function allowanceOnly(bytes: number, allowance: number, choices: number): BytesOutput {
  return { tokens: allowance, allowance, bytes, byBytes: Math.ceil(Math.max(0, bytes) / BYTES_PER_TOKEN), basis: 'allowance', choices };
}

/** "at 4 bytes per token", with the window's cap when it applied. */
function perToken(o: BytesOutput): string {
  const rate = `at ${BYTES_PER_TOKEN} bytes per token`;
  if (o.basis !== 'window') return rate;
  const each = o.choices > 1 ? ` for each of its ${o.choices} answers` : '';
  return `${rate} (${o.byBytes} tokens), at most the model's context window${each}`;
}

/** The note of an answer too large to read for usage, counted by `o`. */
export function tooLargeNote(o: BytesOutput): string {
  const answer = `the answer (${o.bytes} bytes) was too large to read for usage`;
  if (o.basis === 'allowance') return `usage estimated from the request: ${answer}, so its output is counted at the request's allowance (${o.tokens} tokens)`;
  return `usage estimated from the answer's size: ${answer}, so its output is counted from its bytes ${perToken(o)}: ${o.tokens} tokens, more than the request's allowance (${o.allowance} tokens)`;
}

/** How the output of an answer cut mid-body (or never read) was counted, after why (record-notes: GENERATED_UNREAD). */
export function cutOutputPhrase(o: BytesOutput): string {
  if (o.basis === 'allowance') return `output counted at the request's allowance, ${o.tokens} tokens`;
  return `output counted from the ${o.bytes} bytes relayed before the cut ${perToken(o)}, ${o.tokens} tokens, more than the request's allowance (${o.allowance} tokens)`;
}
