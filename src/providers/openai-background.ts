import { type Json, isObj, objAt, str } from './json.js';
import { observeOpenAi } from './openai-usage.js';
import type { PendingEnd, PendingRead, PendingWork } from './types.js';

/**
 * OpenAI background responses (`POST /responses` with `background: true`): the answer
 * comes at once with `status: queued` (or `in_progress`) and no usage; the usage appears
 * when `GET /responses/{id}` shows one of the terminal states (PROVIDERS.md §1, "Other
 * paths"). A foreground response never answers with those two states.
 */

const RUNNING = new Set(['queued', 'in_progress']);
const ENDED: ReadonlySet<string> = new Set<PendingEnd>(['completed', 'incomplete', 'failed', 'cancelled']);

/** The id of a Responses answer that is still queued or running (usage to be read later); undefined otherwise. */
export function pendingResponseId(json: Json): string | undefined {
  if (json.object !== 'response' || (json.usage !== null && json.usage !== undefined)) return undefined;
  const status = str(json.status);
  return status !== null && RUNNING.has(status) ? (str(json.id) ?? undefined) : undefined;
}

/** Reads `GET /responses/{id}`: running, or ended with the usage the final response carries. */
export const OPENAI_BACKGROUND: PendingWork = {
  path: (id) => `/responses/${encodeURIComponent(id)}`,
  read(json: unknown): PendingRead {
    if (!isObj(json)) return { running: false, end: 'failed', observed: { usage: null, model: null }, error: 'the provider answered the poll with no response object' };
    const status = str(json.status) ?? '';
    if (RUNNING.has(status)) return { running: true };
    if (!ENDED.has(status)) return { running: false, end: 'failed', observed: observeOpenAi(json), error: `the provider answered the poll with status '${status}'` };
    const end = status as PendingEnd;
    return { running: false, end, observed: observeOpenAi(json), error: end === 'failed' ? `background response failed: ${str(objAt(json.error).message) ?? 'no reason given'}` : null };
  },
};
