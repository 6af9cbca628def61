import { type Json, count, isObj } from './json.js';

/** The request's web search tools: entries of `tools` whose `type` starts with `web_search` (versioned names included). */
function webSearchTools(tools: unknown): Json[] {
  if (!Array.isArray(tools)) return [];
  return tools.filter((t): t is Json => isObj(t) && typeof t.type === 'string' && t.type.startsWith('web_search'));
}

/**
 * Anthropic: the most searches its web search tools may run, the sum of their `max_uses`;
 * undefined when there is none, or one without a bound (the API sets none by default).
 */
export function anthropicMaxWebSearches(body: Json): number | undefined {
  let total = 0;
  for (const tool of webSearchTools(body.tools)) {
    const uses = count(tool.max_uses);
    if (uses === undefined) return undefined;
    total += uses;
  }
  return total > 0 ? total : undefined;
}

/**
 * Anthropic: whether the request has a server tool whose results the API bills as input tokens
 * (`web_search`, `web_fetch`: entries of `tools` whose `type` starts with either, versioned
 * names included). Their size is not known before the answer; the budget gate's `window` mode
 * holds the input up to the model's context window for them (budget/output-hold.ts).
 */
export function anthropicServerToolInput(body: Json): boolean {
  const tools = body.tools;
  return Array.isArray(tools) && tools.some((t) => isObj(t) && typeof t.type === 'string' && (t.type.startsWith('web_search') || t.type.startsWith('web_fetch')));
}

/**
 * OpenAI Responses: a request with a web search tool runs at most `max_tool_calls` built-in
 * tool calls, searches included; undefined without such a tool or without that bound.
 */
export function responsesMaxWebSearches(body: Json): number | undefined {
  return webSearchTools(body.tools).length > 0 ? count(body.max_tool_calls) : undefined;
}

/** Whether a web search tool's `type` is OpenAI's preview tool (`web_search_preview`, `web_search_preview_2025_03_11`), not the GA `web_search`. */
function isPreviewType(tool: Json): boolean {
  return typeof tool.type === 'string' && tool.type.startsWith('web_search_preview');
}

/**
 * OpenAI Responses: whether the request offers the `web_search_preview` tool, which OpenAI
 * bills at $25 per 1,000 searches on non-reasoning models (pricing/web-search-fees.ts). True
 * with the GA tool beside it too: the model may use either, and the budget hold takes the
 * dearer fee. It runs for every request of an OpenAI-family provider (chat ones too), so a
 * body without tools allocates nothing.
 */
export function responsesWebSearchPreview(body: Json): boolean {
  const tools = body.tools;
  return Array.isArray(tools) && tools.some((t) => isObj(t) && isPreviewType(t));
}

/**
 * OpenAI Responses: whether the searches of an answer ran on the preview tool, as far as its
 * echoed `tools` tell: it names at least one web search tool and every one is a preview one.
 * With both kinds a `web_search_call` item does not say which ran it: false (the GA fee).
 */
export function previewSearchesOnly(tools: unknown): boolean {
  const web = webSearchTools(tools);
  return web.length > 0 && web.every(isPreviewType);
}

/**
 * OpenAI Responses: a request with a file search tool (`type: "file_search"`) runs at most
 * `max_tool_calls` built-in tool calls, its file searches included; undefined without such
 * a tool or without that bound. A request that also has a web search tool gets the same
 * number from responsesMaxWebSearches: one bound shared by both kinds, which the budget
 * gate reserves once (RequestInfo.maxFileSearches).
 */
export function responsesMaxFileSearches(body: Json): number | undefined {
  const tools = body.tools;
  return Array.isArray(tools) && tools.some((t) => isObj(t) && t.type === 'file_search') ? count(body.max_tool_calls) : undefined;
}
