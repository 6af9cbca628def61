import { normaliseInteractionUsage } from './gemini-usage.js';
import { type Json, isObj, objAt, parseJson, str } from './json.js';
import { createdResourceUrl } from './responses-state.js';
import type { Observed, PendingEnd, PendingRead, PendingWork, RequestInfo, SseFrame, StreamAccumulator, Usage } from './types.js';

/**
 * The Gemini Interactions API (`client.interactions.create` in @google/genai 2.32.0):
 * `POST /{api_version}/interactions` (dist/index.cjs:14979) runs a model named in the body
 * (`model`) and answers an Interaction (dist/genai.d.ts:9182) whose `usage` holds the token
 * totals (gemini-usage.ts, normaliseInteractionUsage). Reads, cancels and deletes of an
 * interaction (`…/interactions/{id}`, `…/{id}/cancel`) bill nothing and stay `other`.
 *
 * Each continuation hop of a long decode (the SDK's AutomaticContinuationOption,
 * dist/genai.d.ts:1037) is its own POST, billed for its own usage, and metered as any other.
 *
 * Agent interactions name an `agent` instead of a model (CreateAgentInteraction,
 * dist/genai.d.ts:2498): the agent runs models and tools of its own choosing, billed as
 * their tokens and fees. They are metered as endpoint `interactions.agent` with no model,
 * whatever model an answer names (no price of tokometer's is the agent's): recorded with
 * their usage, unpriced (cost null, not $0). Naming no model, they are refused to a key
 * limited to some models (proxy/model-allow-list.ts), which could not check what they run.
 *
 * Background interactions (`background: true`, ai.google.dev/gemini-api/docs/background-execution)
 * answer `queued` or `in_progress` with no usage and do the work afterwards; the usage
 * appears when `GET …/interactions/{id}` shows an end. As OpenAI background responses
 * (responses-state.ts), the answer names the interaction (Observed.pendingId) and the
 * background watch reads it (GEMINI_BACKGROUND) until it ends; the client's own reads stay
 * `other`, unpriced, so nothing is counted twice.
 */

/** The create path, after the provider prefix. */
export const INTERACTIONS_PATH = /^\/(v1|v1beta|v1alpha)\/interactions$/;

/** Endpoint name stored for interactions that run a model. */
export const INTERACTIONS_ENDPOINT = 'interactions';

/** Endpoint name stored for interactions that run an agent (no model, unpriced). */
export const AGENT_INTERACTIONS_ENDPOINT = 'interactions.agent';

/**
 * The description of a create request. The model is the body's `model`, none for an agent's;
 * `maxOutputTokens` is the request's `generation_config.max_output_tokens`, read by the
 * caller. A request naming `previous_interaction_id` continues that interaction, whose
 * conversation is billed again as input (RequestInfo.continues). A background request runs
 * detached: the provider goes on with it when the client leaves.
 */
export function describeInteraction(body: unknown, maxOutputTokens: number | null): RequestInfo {
  const json = objAt(body);
  const agent = json.agent !== undefined && json.agent !== null;
  const info: RequestInfo = {
    endpoint: agent ? AGENT_INTERACTIONS_ENDPOINT : INTERACTIONS_ENDPOINT,
    kind: 'responses',
    metered: true,
    model: agent ? null : str(json.model),
    streaming: json.stream === true,
    maxOutputTokens,
  };
  const previous = str(json.previous_interaction_id);
  if (previous !== null) info.continues = previous;
  if (json.background === true) info.runsDetached = true;
  return info;
}

/** Statuses of an interaction still at work (its usage to come). */
const RUNNING: ReadonlySet<unknown> = new Set(['queued', 'in_progress']);

/**
 * How each status that ends an interaction ends its call. `requires_action` waits for the
 * client's function results, which a new interaction carries: this one is done.
 * `budget_exceeded` and `requires_continuation` stopped at a limit, like `incomplete`.
 */
const ENDS: ReadonlyMap<unknown, PendingEnd> = new Map<string, PendingEnd>([
  ['completed', 'completed'],
  ['requires_action', 'completed'],
  ['incomplete', 'incomplete'],
  ['budget_exceeded', 'incomplete'],
  ['requires_continuation', 'incomplete'],
  ['failed', 'failed'],
  ['cancelled', 'cancelled'],
]);

/** Why an Interaction with status `failed` failed: its first error's message. */
function failureOf(interaction: Json): string {
  const first = Array.isArray(interaction.errors) ? objAt(interaction.errors[0]) : {};
  return `interaction failed: ${str(first.message) ?? str(first.code) ?? 'no reason given'}`;
}

/** Whether a request (RequestInfo) or an answer (its `agent`) is an agent's interaction: its model is not kept. */
export function isAgentInteraction(info: RequestInfo | null, interaction: Json): boolean {
  return info?.endpoint === AGENT_INTERACTIONS_ENDPOINT || str(interaction.agent) !== null;
}

/** Usage, model (none for an agent's) and id of an Interaction answer to `info` (a create's body). */
export function observeInteraction(info: RequestInfo | null, json: unknown): Observed {
  const interaction = objAt(json);
  const model = isAgentInteraction(info, interaction) ? null : str(interaction.model);
  const observed: Observed = { usage: normaliseInteractionUsage(interaction.usage), model };
  const id = str(interaction.id);
  if (id !== null) observed.responseId = id;
  if (interaction.status === 'failed') observed.failed = failureOf(interaction);
  // Still at work (a background interaction): read later. A usage such an answer carries is not the interaction's.
  if (id !== null && RUNNING.has(interaction.status)) {
    observed.pendingId = id;
    observed.usage = null;
  }
  return observed;
}

/** Reads `GET …/interactions/{id}`: running, or ended with the usage the interaction carries. */
export const GEMINI_BACKGROUND: PendingWork = {
  url: createdResourceUrl,
  read(json: unknown): PendingRead {
    // Only the statuses of ENDS end a follow; anything else (a gateway's own answer…) is read again.
    const interaction = objAt(json);
    const end = ENDS.get(interaction.status);
    if (end === undefined) return { running: true };
    const observed = observeInteraction(null, interaction);
    return { running: false, end, observed, error: end === 'failed' ? failureOf(interaction) : null };
  },
};

/**
 * The SSE frame ending an interactions stream that failed after it started: an `error` event
 * (ErrorEvent_2, dist/genai.d.ts:4943), which js-genai yields to the app as any event
 * (dist/index.cjs:11413); `code` is the Google RPC status word (`UNAVAILABLE`).
 */
export function interactionErrorEvent(code: string, message: string): string {
  return `event: error\r\ndata: ${JSON.stringify({ event_type: 'error', error: { code, message } })}\r\n\r\n`;
}

/**
 * Observes a streamed interaction (SSE; each frame's data is one InteractionSSEEvent with
 * its `event_type`, dist/genai.d.ts:9959). `interaction.created` names the id and model;
 * usage totals come with `interaction.completed` (the interaction), `interaction.status_update`
 * and `step.stop` (`usage`: the interaction's running total, not `step_usage`, the step's own)
 * and `step.delta` (`metadata.total_usage`). Each total REPLACES the previous one, never
 * summed: a stream cut before `interaction.completed` keeps the last it carried. An `error`
 * event, or a completed interaction with status `failed`, fails the call. Frames are never removed.
 */
export class InteractionStream implements StreamAccumulator {
  private usage: Usage | null = null;
  private model: string | null = null;
  private id: string | null = null;
  private failed: string | null = null;
  /** An agent's interaction, by its request or an event naming the agent: no model kept. */
  private agent: boolean;
  /** A background interaction, which the provider goes on with when its stream is cut. */
  private readonly detached: boolean;
  /** An `interaction.completed` event came: the interaction's end. */
  private ended = false;

  constructor(info: RequestInfo) {
    this.agent = isAgentInteraction(info, {});
    this.detached = info.runsDetached === true;
  }

  onFrame(frame: SseFrame): boolean {
    const data = frame.data;
    // Text deltas without a running total say nothing about usage, model or failure.
    if (data.length === 0 || (!data.includes('usage') && !data.includes('"interaction') && !data.includes('"error"'))) return true;
    const json = parseJson(data);
    if (!isObj(json)) return true;
    switch (json.event_type) {
      case 'interaction.created':
      case 'interaction.completed': {
        const interaction = objAt(json.interaction);
        this.id = str(interaction.id) ?? this.id;
        this.agent ||= isAgentInteraction(null, interaction);
        this.model = str(interaction.model) ?? this.model;
        this.take(interaction.usage);
        if (interaction.status === 'failed') this.failed = failureOf(interaction);
        if (json.event_type === 'interaction.completed') this.ended = true;
        break;
      }
      case 'interaction.status_update':
      case 'step.stop':
        this.take(json.usage);
        break;
      case 'step.delta':
        this.take(objAt(json.metadata).total_usage);
        break;
      case 'error': {
        const error = objAt(json.error);
        this.failed = `stream error: ${str(error.code) ?? 'error'}${str(error.message) ? ` (${str(error.message)})` : ''}`;
        break;
      }
    }
    return true;
  }

  finish(): Observed {
    const observed: Observed = { usage: this.usage, model: this.agent ? null : this.model };
    if (this.id !== null) observed.responseId = this.id;
    if (this.failed !== null) observed.failed = this.failed;
    // A background stream cut before its end (the client left): the provider goes on; read it later.
    if (this.detached && !this.ended && this.failed === null && this.id !== null) observed.pendingId = this.id;
    return observed;
  }

  private take(raw: unknown): void {
    const usage = normaliseInteractionUsage(raw);
    if (usage !== null) this.usage = usage;
  }
}
