import { type Json, isObj, objAt, str } from './json.js';
import { observeOpenAi } from './openai-usage.js';
import type { PendingEnd, PendingRead, PendingWork } from './types.js';

/**
 * State the OpenAI Responses API keeps between requests.
 *
 * Background responses (`POST /responses` with `background: true`): the answer comes at
 * once with `status: queued` (or `in_progress`) and no usage; the usage appears when
 * `GET /responses/{id}` shows one of the terminal states (PROVIDERS.md §1, "Other paths").
 * A foreground response never answers with those two states.
 *
 * Continued conversations: a request naming `previous_response_id` or a `conversation`
 * is billed for that earlier input and output again, as input it does not carry itself.
 */

const RUNNING = new Set(['queued', 'in_progress']);
const ENDED: ReadonlySet<string> = new Set<PendingEnd>(['completed', 'incomplete', 'failed', 'cancelled']);

/**
 * The id of a Responses answer that is still queued or running (usage to be read later);
 * undefined otherwise. Decided by the status alone: a usage such an answer carries (zeros
 * in some fixtures) is not the response's.
 */
export function pendingResponseId(json: Json): string | undefined {
  if (json.object !== 'response') return undefined;
  const status = str(json.status);
  return status !== null && RUNNING.has(status) ? (str(json.id) ?? undefined) : undefined;
}

/**
 * The URL of resource `id` created by a POST to `requestUrl`: the request's own path and
 * query (a base URL with or without /v1, Azure's api-version…), `/{id}` after the path
 * (`…/v1/responses?x` → `…/v1/responses/resp_1?x`).
 */
export function createdResourceUrl(requestUrl: string, id: string): string {
  const q = requestUrl.indexOf('?');
  const path = q === -1 ? requestUrl : requestUrl.slice(0, q);
  return `${path.endsWith('/') ? path.slice(0, -1) : path}/${encodeURIComponent(id)}${q === -1 ? '' : requestUrl.slice(q)}`;
}

/** Reads `GET …/responses/{id}`: running, or ended with the usage the final response carries. */
export const OPENAI_BACKGROUND: PendingWork = {
  url: createdResourceUrl,
  read(json: unknown): PendingRead {
    // Only the four terminal states end a follow; anything else (a gateway's own answer…) is read again.
    if (!isObj(json)) return { running: true };
    const status = str(json.status) ?? '';
    if (!ENDED.has(status)) return { running: true };
    const end = status as PendingEnd;
    return { running: false, end, observed: observeOpenAi(json), error: end === 'failed' ? `background response failed: ${str(objAt(json.error).message) ?? 'no reason given'}` : null };
  },
};

/**
 * The state a Responses request continues (RequestInfo.continues): its `previous_response_id`,
 * or `conv:<id>` for its `conversation` (an id, or an object with one); undefined otherwise.
 */
export function responsesContinues(body: Json): string | undefined {
  const previous = str(body.previous_response_id);
  if (previous !== null) return previous;
  const conversation = typeof body.conversation === 'string' ? str(body.conversation) : str(objAt(body.conversation).id);
  return conversation === null ? undefined : `conv:${conversation}`;
}
