import { isObj, objAt } from './json.js';
import type { ProviderAdapter, RequestInfo } from './types.js';

/**
 * Where each family's non-streamed answer keeps the output it generated, for
 * ProviderAdapter.answerTextLength: characters (UTF-16 code units) of its text, thinking and
 * tool-call arguments (a structured input counts as its JSON text), which an answer without
 * usage has its output tokens estimated from (providers/estimate.ts). Undefined when the
 * family cannot say: an answer of a shape it does not know (no `choices`, `content`,
 * `candidates`…) or one that generated audio or images, whose tokens no text tells; the
 * estimate then counts the request's allowance. Read only for an answer without usage, so
 * none of this runs on the usual path. One function per family, wired in its adapter.
 */

/** Characters counted so far, or undefined once some part cannot be said. */
type Length = number | undefined;

/** The sum of `each` over the array `items`; undefined when `items` is not an array or some item cannot be said. */
function sum(items: unknown, each: (item: unknown) => Length): Length {
  if (!Array.isArray(items)) return undefined;
  let total = 0;
  for (const item of items) {
    const n = each(item);
    if (n === undefined) return undefined;
    total += n;
  }
  return total;
}

/** As `sum`, for a list that may be left out: absent or null is 0. */
const optionalSum = (items: unknown, each: (item: unknown) => Length): Length => (items === undefined || items === null ? 0 : sum(items, each));

/** `a` + `b`, undefined when either is. */
const plus = (a: Length, b: Length): Length => (a === undefined || b === undefined ? undefined : a + b);

/** A string's characters, 0 for anything else. */
const chars = (v: unknown): number => (typeof v === 'string' ? v.length : 0);

/** A generated structured value (tool arguments or input): a string's characters, else its JSON text's; 0 when absent. */
function jsonChars(v: unknown): number {
  if (typeof v === 'string') return v.length;
  return v === undefined || v === null ? 0 : (JSON.stringify(v)?.length ?? 0);
}

/** Content part types that carry generated media (an image, audio): their tokens are not their bytes'. */
const MEDIA = /image|audio|video/;

/** One content part: its `text`, `refusal` and `thinking` (a string, or parts: Mistral); undefined for generated media. */
function partChars(part: unknown): Length {
  if (typeof part === 'string') return part.length;
  if (!isObj(part)) return 0;
  if (typeof part.type === 'string' && MEDIA.test(part.type)) return undefined;
  return plus(chars(part.text) + chars(part.refusal), part.thinking === undefined ? 0 : contentChars(part.thinking));
}

/** A message's content: a string, or content parts (OpenAI-compatible vendors, Mistral, Cohere v2). */
function contentChars(content: unknown): Length {
  if (typeof content === 'string') return content.length;
  if (Array.isArray(content)) return sum(content, partChars);
  return isObj(content) ? partChars(content) : 0;
}

/** An OpenAI-style tool call: its function's name and arguments. */
const toolCallChars = (call: unknown): Length => (isObj(call) ? chars(objAt(call.function).name) + jsonChars(objAt(call.function).arguments) : 0);

/**
 * An OpenAI-style chat message: content, refusal, tool calls (and the legacy `function_call`),
 * and the reasoning text some compatible vendors return (`reasoning_content`, `reasoning`).
 * Undefined for a message with generated audio (`audio`) or images (`images`, OpenRouter).
 */
function chatMessageChars(message: unknown): Length {
  if (!isObj(message)) return undefined;
  if ((message.audio !== undefined && message.audio !== null) || (message.images !== undefined && message.images !== null)) return undefined;
  const legacy = objAt(message.function_call);
  const own = chars(message.refusal) + chars(message.reasoning_content) + chars(message.reasoning) + chars(legacy.name) + jsonChars(legacy.arguments);
  return plus(plus(contentChars(message.content), optionalSum(message.tool_calls, toolCallChars)), own);
}

/** A chat answer's choices (`message`), or a legacy completion's (`text`). */
function choicesChars(json: unknown): Length {
  return sum(objAt(json).choices, (choice) => {
    if (!isObj(choice)) return undefined;
    if (choice.message !== undefined) return chatMessageChars(choice.message);
    return typeof choice.text === 'string' ? choice.text.length : undefined;
  });
}

/**
 * One item of a Responses answer's `output`: a message's parts, a reasoning item's summary and
 * text, a call's name and arguments (or a custom tool's input), generated code; undefined for a
 * generated image. A server tool's call (a web or file search) counts its `action` (what the model asked of it).
 */
function responseItemChars(item: unknown): Length {
  if (!isObj(item)) return undefined;
  switch (item.type) {
    case 'message':
      return sum(item.content, partChars);
    case 'reasoning':
      return plus(optionalSum(item.summary, partChars), optionalSum(item.content, partChars));
    case 'image_generation_call':
      return undefined;
    case 'code_interpreter_call':
      return chars(item.code);
    default:
      return chars(item.name) + jsonChars(item.arguments) + jsonChars(item.input) + jsonChars(item.action);
  }
}

/** A transcription's transcript (`text`); undefined without one. */
const transcriptChars = (json: unknown): Length => (typeof objAt(json).text === 'string' ? chars(objAt(json).text) : undefined);

/** OpenAI (and compatible vendors): chat, completions, Responses, a transcription's text; embeddings generate none. */
export function openAiAnswerText(info: RequestInfo, json: unknown): Length {
  if (info.kind === 'chat' || info.kind === 'completions') return choicesChars(json);
  if (info.kind === 'responses') return sum(objAt(json).output, responseItemChars);
  if (info.kind === 'transcriptions') return transcriptChars(json);
  return info.kind === 'embeddings' ? 0 : undefined;
}

/** One Anthropic content block: text, thinking (a redacted one's data), a tool use's name and input; a tool's result is not generated. */
function anthropicBlockChars(block: unknown): Length {
  if (!isObj(block)) return undefined;
  if (block.type === 'redacted_thinking') return chars(block.data);
  return chars(block.text) + chars(block.thinking) + (typeof block.type === 'string' && block.type.endsWith('tool_use') ? chars(block.name) + jsonChars(block.input) : 0);
}

/** Anthropic Messages: the answer's content blocks. */
export function anthropicAnswerText(_info: RequestInfo, json: unknown): Length {
  return sum(objAt(json).content, anthropicBlockChars);
}

/** One Gemini part: text (thoughts too), a function call's name and args, generated code; undefined for generated media. */
function geminiPartChars(part: unknown): Length {
  if (!isObj(part)) return 0;
  if (part.inlineData !== undefined || part.fileData !== undefined) return undefined;
  const call = objAt(part.functionCall);
  return chars(part.text) + chars(call.name) + jsonChars(call.args) + chars(objAt(part.executableCode).code);
}

/** A GenerateContentResponse's candidates (a candidate stopped before any content counts 0); undefined without candidates. */
const candidatesChars = (response: unknown): Length => sum(objAt(response).candidates, (c) => optionalSum(objAt(objAt(c).content).parts, geminiPartChars));

/**
 * Gemini generateContent, or a stream read as one JSON array (each chunk's candidates; a
 * chunk with none counts 0); embeddings generate none. Interactions: cannot say.
 */
export function geminiAnswerText(info: RequestInfo, json: unknown): Length {
  if (info.kind === 'embeddings') return 0;
  if (info.kind !== 'chat') return undefined;
  if (!Array.isArray(json)) return candidatesChars(json);
  return sum(json, (chunk) => (objAt(chunk).candidates === undefined ? 0 : candidatesChars(chunk)));
}

/** One Mistral conversation output entry: a message's content, a function call's or tool run's name and arguments. */
function conversationEntryChars(entry: unknown): Length {
  if (!isObj(entry)) return undefined;
  if (entry.type === 'message.output') return contentChars(entry.content);
  return chars(entry.name) + jsonChars(entry.arguments);
}

/** Mistral: chat, agents and FIM completions as OpenAI chat, conversation turns, a transcription's text; embeddings generate none. */
export function mistralAnswerText(info: RequestInfo, json: unknown): Length {
  if (info.kind === 'chat' || info.kind === 'completions') return choicesChars(json);
  if (info.kind === 'responses') return sum(objAt(json).outputs, conversationEntryChars);
  if (info.kind === 'transcriptions') return transcriptChars(json);
  return info.kind === 'embeddings' ? 0 : undefined;
}

/** Cohere: a v2 chat's message (content, tool plan, tool calls), a v1 chat's `text` and tool calls (`v1`); embeds generate none. */
export function cohereAnswerText(info: RequestInfo, json: unknown, v1: boolean): Length {
  if (info.kind === 'embeddings') return 0;
  if (info.kind !== 'chat' || !isObj(json)) return undefined;
  if (v1) {
    if (typeof json.text !== 'string') return undefined;
    return plus(json.text.length, optionalSum(json.tool_calls, (call) => chars(objAt(call).name) + jsonChars(objAt(call).parameters)));
  }
  const message = json.message;
  if (!isObj(message)) return undefined;
  return plus(plus(contentChars(message.content), optionalSum(message.tool_calls, toolCallChars)), chars(message.tool_plan));
}

/** `adapter`'s answerTextLength of the parsed answer `json`: null when it cannot say, or fails on it (never throws). */
export function answerTextLengthOf(adapter: ProviderAdapter, info: RequestInfo, json: unknown): number | null {
  try {
    const chars = adapter.answerTextLength?.(info, json);
    return chars !== undefined && Number.isFinite(chars) && chars >= 0 ? chars : null;
  } catch {
    return null;
  }
}
