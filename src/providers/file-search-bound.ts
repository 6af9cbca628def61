import { type Json, count, isObj } from './json.js';

/**
 * OpenAI Responses: a request with a file search tool (`type: "file_search"`) runs at most
 * `max_tool_calls` built-in tool calls, its file searches included; undefined without such
 * a tool or without that bound. A request that also has a web search tool gets the same
 * number from web-search-bound.ts: one bound shared by both kinds, which the budget gate
 * reserves once (RequestInfo.maxFileSearches).
 */
export function responsesMaxFileSearches(body: Json): number | undefined {
  const tools = body.tools;
  return Array.isArray(tools) && tools.some((t) => isObj(t) && t.type === 'file_search') ? count(body.max_tool_calls) : undefined;
}
