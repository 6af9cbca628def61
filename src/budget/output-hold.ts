import { BYTES_PER_TOKEN } from './estimate.js';
import type { OutputHistory } from './output-history.js';

/**
 * Config `budget_output_hold`: what a call without an output limit (no `max_tokens`) holds on
 * a budget for its output.
 *
 * - `history` (default): the largest output of one answer its key had from the model in the
 *   last 7 days (output-history.ts), the model's context window before any. The cap holds
 *   (policy.ts: within one call) while no answer runs longer than its key's history; an answer
 *   that does (a new kind of prompt, a 50-token key suddenly asked for 16,000) can pass it with
 *   every call admitted beside it.
 * - `window`: always the model's context window, which bounds a call's prompt and output
 *   together, so the cap holds whatever the answers' length. The price: on a budget smaller
 *   than one window's output, such calls run one at a time (policy.ts rule 2).
 */
export type OutputHoldMode = 'history' | 'window';

/** Where the output tokens held for a call without an output limit come from (errors.ts OutputHold.source). */
export type HoldSource = 'learned' | 'window' | 'default';

/**
 * Output tokens one answer of a call without a maximum is held at if `model` runs it, and
 * why. `history` mode: the largest output of one answer of that key and model in the
 * history's window; for a fallback model (`model` is not the `requested` one), whose history
 * settles never teach (they teach the requested model), else that of the requested model.
 * With no history (a key's first such calls on the model), and always in `window` mode: the
 * model's context window (`windowTokens`), which bounds a call's output in nearly every
 * catalog entry; else `defaultTokens`. A flat guess let a new key's first burst pass its cap
 * together (100 calls answering 3,000 tokens each held at 1,024: $0.1225 spent against $0.05).
 */
export function heldOutput(
  mode: OutputHoldMode,
  outputs: OutputHistory,
  call: { keyName: string | null; model: string; requested: string | null; at: number },
  windowTokens: number | undefined,
  defaultTokens: number,
): { tokens: number; source: HoldSource } {
  if (mode === 'history') {
    const own = outputs.max(call.keyName, call.model, call.at);
    const learned = own ?? (call.requested === null || call.requested === call.model ? undefined : outputs.max(call.keyName, call.requested, call.at));
    if (learned !== undefined) return { tokens: learned, source: 'learned' };
  }
  return windowTokens !== undefined ? { tokens: windowTokens, source: 'window' } : { tokens: defaultTokens, source: 'default' };
}

/**
 * Input tokens held beyond the body's (`promptBytes` at BYTES_PER_TOKEN) for a request that
 * `unseen` tokens are already held for. In `window` mode a request with a server-side tool
 * whose results the provider bills as input (Anthropic `web_search`, `web_fetch`:
 * GateRequest.serverToolInput) holds its input up to the model's context window, since the
 * results join a prompt that cannot exceed it; otherwise, and without a known window, `unseen`.
 */
export function heldUnseenInput(mode: OutputHoldMode, serverToolInput: boolean | undefined, promptBytes: number, unseen: number, windowTokens: number | undefined): number {
  if (mode !== 'window' || serverToolInput !== true || windowTokens === undefined) return unseen;
  return Math.max(unseen, windowTokens - Math.ceil(Math.max(0, promptBytes) / BYTES_PER_TOKEN));
}

/**
 * The input tokens held for a request's images and documents named by reference
 * (GateRequest.referencedInputTokens): their bounds, at most the model's context window
 * (`windowTokens`, when the catalog gives one), since a prompt longer than the window is
 * refused, never billed; a 100-page PDF's 460,000-token bound is 200,000 on a Claude model.
 * 0 when none.
 */
export function referencedHeld(tokens: number | undefined, windowTokens: number | undefined): number {
  if (tokens === undefined) return 0;
  return windowTokens === undefined ? tokens : Math.min(tokens, windowTokens);
}
