import { type Json, count, isObj, str } from './json.js';
import type { AdvisorToolBound } from './types.js';

/**
 * Anthropic: the request's advisor tools, entries of `tools` whose `type` starts with
 * `advisor_` (`advisor_20260301`, later versions included), with what bounds their cost
 * (SDK BetaAdvisorTool20260301): `model`, the model each consultation runs; `max_uses`,
 * "Maximum number of times the tool can be used in the API request"; `max_tokens`, which
 * "Bounds the advisor's total output (thinking + text) per call". Undefined when none.
 */
export function anthropicAdvisorTools(body: Json): AdvisorToolBound[] | undefined {
  const tools = body.tools;
  if (!Array.isArray(tools)) return undefined;
  const out: AdvisorToolBound[] = [];
  for (const t of tools) {
    if (!isObj(t) || typeof t.type !== 'string' || !t.type.startsWith('advisor_')) continue;
    out.push({ model: str(t.model), maxUses: count(t.max_uses) ?? null, maxOutputTokens: count(t.max_tokens) ?? null });
  }
  return out.length > 0 ? out : undefined;
}
