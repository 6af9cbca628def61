import { formatSpentOf } from '../lib/money.js';
import { heldPhrase, isoInstant } from './errors.js';
import { instanceSuffix } from './instance-name.js';
import type { BlockInfo } from './types.js';

/** One log line per budget per this many ms, at most. */
const WINDOW_MS = 60_000;
/** Budgets remembered before the table is pruned of quiet ones. */
const MAX_TRACKED = 10_000;

/** `key budget 'acme'`, or `tag budget 'free-daily' (user_id=u_42)` for one `per` instance (`(calls without a user_id)` for the calls without the tag). */
function describe(b: BlockInfo): string {
  return `${b.kind} budget '${b.name}'${instanceSuffix(b.per, b.tagValue)}`;
}

/**
 * The line for a refusal: which budget, its spend and limit (formatSpentOf, as the 429's message
 * writes them: an overshoot the cents hide keeps its decimals), when it resets (and, when busy,
 * what holds it, in the 429's words: errors.ts heldPhrase).
 */
export function refusalLine(b: BlockInfo, unlogged: number): string {
  const reset = b.resetAt === null ? 'never resets' : `resets ${isoInstant(b.resetAt)}`;
  const spend = `${formatSpentOf(b.spentNano, b.limitNano)} spent`;
  const more = unlogged > 0 ? ` (${unlogged} more like it since the last line)` : '';
  if (b.reason === 'exhausted') return `budget refusal: ${describe(b)} is spent: ${spend}; ${reset}${more}`;
  const held = heldPhrase(b);
  if (b.shared?.unreachable === true) return `budget busy: ${describe(b)} could not admit a call in time: its shared spend could not be read from the database (${held}): ${spend}; ${reset}${more}`;
  return `budget busy: ${describe(b)} had no room for a call in time (${held}): ${spend}; ${reset}${more}`;
}

/**
 * Logs the first budget refusal per budget (name and kind; `per` instances together) per
 * minute, separately for spent caps and busy answers, and counts the rest into the next
 * line, so a flood of refused calls writes a few lines, not one per call (#18 point 7).
 */
export class RefusalLog {
  private readonly last = new Map<string, { at: number; unlogged: number }>();

  constructor(private readonly write: (line: string) => void) {}

  note(b: BlockInfo): void {
    const key = `${b.reason}\u0000${b.kind}\u0000${b.name}`;
    const seen = this.last.get(key);
    if (seen !== undefined && b.at >= seen.at && b.at - seen.at < WINDOW_MS) {
      seen.unlogged++;
      return;
    }
    if (seen === undefined && this.last.size >= MAX_TRACKED) this.prune(b.at);
    this.last.set(key, { at: b.at, unlogged: 0 });
    try {
      this.write(refusalLine(b, seen?.unlogged ?? 0));
    } catch {
      // A failing log sink must never turn a refusal into a proxy error.
    }
  }

  private prune(at: number): void {
    for (const [key, seen] of this.last) if (at - seen.at >= WINDOW_MS) this.last.delete(key);
    if (this.last.size >= MAX_TRACKED) this.last.clear();
  }
}
