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
