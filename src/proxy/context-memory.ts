import type { Usage } from '../providers/types.js';

/**
 * What a continued conversation will be billed for before it is sent. A Responses request
 * naming `previous_response_id` (or a `conversation`) pays for that earlier input and
 * output again, as input its own body does not carry: a follow-up of a few bytes can cost
 * as much as a long prompt. The budget estimate adds what this remembers, so concurrent
 * follow-ups reserve their real size (RequestInfo.continues, budget/estimate.ts).
 *
 * Remembers, per response id (and per `conv:<id>`), the input plus output tokens of that
 * response: what a request continuing it carries into its own input. Only calls this
 * process saw are known; an id it never saw (another replica's, or one from before a
 * restart) reserves nothing extra. Bounded: past `capacity` entries the oldest written
 * is forgotten.
 */
export class ContextMemory {
  private readonly tokens = new Map<string, number>();

  constructor(private readonly capacity = DEFAULT_CONTEXT_ENTRIES) {}

  /** Tokens a request continuing `key` carries as input; undefined when unknown. */
  tokensOf(key: string): number | undefined {
    return this.tokens.get(key);
  }

  /** `key` (a response id, or `conv:<id>`) now stands for `tokens` of input and output. */
  remember(key: string, tokens: number): void {
    this.tokens.delete(key);
    this.tokens.set(key, tokens);
    if (this.tokens.size > this.capacity) {
      const oldest = this.tokens.keys().next().value as string;
      this.tokens.delete(oldest);
    }
  }

  /**
   * A reported answer's usage: a request continuing the answer (`responseId`), or the
   * conversation it belongs to (`continues` = `conv:<id>`), carries its input and output as input.
   */
  rememberAnswer(usage: Usage, responseId: string | undefined, continues: string | undefined): void {
    const tokens = usage.inputTokens + usage.outputTokens;
    if (responseId !== undefined) this.remember(responseId, tokens);
    if (continues !== undefined && continues.startsWith('conv:')) this.remember(continues, tokens);
  }

  get size(): number {
    return this.tokens.size;
  }
}

/**
 * Entries kept by default: the last 20,000 Responses answers (~3 MB at ~150 bytes each).
 * At 50 Responses calls a second that is ~7 minutes; a follow-up sent later than that
 * reserves only its own body, as an unknown id does.
 */
export const DEFAULT_CONTEXT_ENTRIES = 20_000;
