import type { Clock } from '../lib/clock.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { TAGS_HEADER } from './tags.js';

/** Shortest time between two warnings about dropped tags of one key, ms. */
export const TAGS_DROPPED_WARN_EVERY_MS = 60_000;
/** Characters of the dropped header a warning quotes (the rest of its values never reach the log). */
const HEADER_PREFIX_CHARS = 12;

/** One key's dropped headers: when it was last warned about, and the drops since then. */
interface KeyDrops {
  /** ms since the epoch of the last warning; -Infinity before the first. */
  warnedAt: number;
  /** Headers dropped since that warning, not yet reported in one. */
  since: number;
}

/**
 * Makes `tags.on_invalid: drop` visible (SPEC §4): a call whose `X-Metering-Tags` header is
 * invalid is recorded without its request tags, so it escapes the tag budgets it would have
 * matched. Every such call counts on /metrics (`tokometer_tags_dropped_total{key}`); the log
 * says so at most once a minute per metering key (a client sending a bad header on every
 * call does not flood it), with the number of headers dropped since the last warning.
 *
 * Runs only for a dropped header: a call whose tags are valid never reaches it. Memory: one
 * entry per metering key that sent a bad header.
 */
export class TagsDroppedNotice {
  private readonly keys = new Map<string, KeyDrops>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /** Key `keyName` sent `header`, which parseTags refused with `problem`; the call goes on without its tags. */
  dropped(keyName: string, problem: string, header: string): void {
    this.metrics.tagsDropped(keyName);
    let drops = this.keys.get(keyName);
    if (drops === undefined) this.keys.set(keyName, (drops = { warnedAt: -Infinity, since: 0 }));
    drops.since++;
    const at = this.clock();
    if (at - drops.warnedAt < TAGS_DROPPED_WARN_EVERY_MS) return;
    this.log.warn(`${TAGS_HEADER} dropped (tags.on_invalid: drop): the call was recorded without tags, so tag budgets and reports by tag miss it`, {
      key: keyName,
      problem: withoutHeaderText(problem),
      header_prefix: headerPrefix(header),
      dropped_since_last_warning: drops.since,
      next_warning: 'at most once a minute per key',
    });
    drops.warnedAt = at;
    drops.since = 0;
  }
}

/**
 * parseTags' sentence without the header's text: JSON.parse's message quotes the text it
 * could not read (V8: `Unexpected token 'o', "not json" is not valid JSON`), so a header that
 * is not JSON is named only as such. The other sentences name tag keys and types, never values.
 */
function withoutHeaderText(problem: string): string {
  const notJson = `${TAGS_HEADER} is not valid JSON`;
  return problem.startsWith(notJson) ? notJson : problem;
}

/** The header's first characters (the JSON log line quotes them), with `…` when it is longer. */
function headerPrefix(header: string): string {
  return header.length > HEADER_PREFIX_CHARS ? `${header.slice(0, HEADER_PREFIX_CHARS)}…` : header;
}
