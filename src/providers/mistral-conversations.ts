import { normaliseMistralUsage } from './mistral-usage.js';
import type { Observed, SseFrame, StreamAccumulator, Usage } from './types.js';
import { type Json, isObj, normalisePath, parseJson, str } from './json.js';

/**
 * Mistral Conversations (`client.beta.conversations` in @mistralai/mistralai): each POST
 * runs one turn of a provider-side conversation on a model or an agent and bills its tokens.
 * - start `/v1/conversations`, append `/v1/conversations/{id}`, restart
 *   `/v1/conversations/{id}/restart`; `stream: true` streams the same turn as SSE.
 * - The answer (`object: conversation.response`) has `usage` with the chat counts
 *   (`prompt_tokens`, `completion_tokens`; `connector_tokens` is not read: the SDK does not
 *   say whether it is billed, or inside `prompt_tokens`) and names the model on its output
 *   entries (`message.output`, `function.call`, `tool.execution`); an appended turn's request
 *   names no model. After an agent handoff the last entry's model is the one priced.
 */

/** The path every conversation turn is routed as (a key of the adapter's endpoint table). */
export const CONVERSATION_ROUTE = '/conversations';

const TURN = /^\/conversations(?:\/([^/]+)(?:\/restart)?)?$/;

/**
 * `CONVERSATION_ROUTE` for a start, append or restart path (with or without `/v1`, any query); null for any other.
 * Runs on every Mistral request: a path without `conversations` in it (chat, embeddings…)
 * is answered by that substring test, without normalising it or running TURN.
 */
export function conversationRoute(path: string): string | null {
  if (!path.includes('conversations')) return null;
  return TURN.test(normalisePath(path, true)) ? CONVERSATION_ROUTE : null;
}

/**
 * The conversation an append or restart path continues, as `conv:<id>` (RequestInfo.continues:
 * the turn is billed for its history again as input); undefined for a start or any other path.
 * Called only for a path conversationRoute routed.
 */
export function continuedConversation(path: string): string | undefined {
  const id = TURN.exec(normalisePath(path, true))?.[1];
  return id === undefined ? undefined : `conv:${id}`;
}

/** The model of the last output entry naming one (message, function call, tool execution); null when none does. */
function outputModel(outputs: unknown): string | null {
  if (!Array.isArray(outputs)) return null;
  let model: string | null = null;
  for (const entry of outputs) if (isObj(entry)) model = str(entry.model) ?? model;
  return model;
}

/**
 * Usage and model of a non-streamed turn (a ConversationResponse); for a start turn (`opens`),
 * also the conversation it opens (`responseId`, `conv:<conversation_id>`), which later turns continue.
 */
export function observeConversation(json: Json, opens: boolean): Observed {
  const observed: Observed = { usage: normaliseMistralUsage(json.usage), model: outputModel(json.outputs) };
  const id = opens ? str(json.conversation_id) : null;
  if (id !== null) observed.responseId = `conv:${id}`;
  return observed;
}

const STARTED = 'conversation.response.started';
const DONE = 'conversation.response.done';
const ERROR = 'conversation.response.error';

/**
 * A streamed turn: frames `event: <type>` + `data: {"type":"<type>",…}`, no `[DONE]`. The
 * usage is in `conversation.response.done` (the last one seen wins), the model in the first
 * event naming one (`message.output.delta`, `function.call.delta`, `tool.execution.started`);
 * `conversation.response.error` marks the turn failed. Frames are only read, never removed.
 */
export class ConversationStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private model: string | null = null;
  private failed: string | undefined;
  /** The conversation a start turn opens (`conv:<id>`, from conversation.response.started); still wanted while undefined. */
  private opened: string | undefined;

  /** `opens`: the turn starts a conversation, whose id later turns continue. */
  constructor(private readonly opens = false) {}

  onFrame(frame: SseFrame): boolean {
    const { event, data } = frame;
    if (data.length === 0) return true;
    const wanted =
      event === DONE || event === ERROR || (event === '' && (data.includes(DONE) || data.includes(ERROR))) || (this.model === null && data.includes('"model"')) ||
      (this.opens && this.opened === undefined && data.includes(STARTED));
    if (!wanted) return true;
    const json = parseJson(data);
    if (!isObj(json)) return true;
    this.model ??= str(json.model);
    if (this.opens && json.type === STARTED) {
      const id = str(json.conversation_id);
      if (id !== null) this.opened = `conv:${id}`;
    }
    if (json.type === DONE) this.usage = normaliseMistralUsage(json.usage) ?? this.usage;
    else if (json.type === ERROR) this.failed = `stream error: ${str(json.message) ?? 'no reason given'}`;
    return true;
  }

  finish(): Observed {
    const observed: Observed = { usage: this.usage, model: this.model };
    if (this.failed !== undefined) observed.failed = this.failed;
    if (this.opened !== undefined) observed.responseId = this.opened;
    return observed;
  }
}
