import type { AdvisorToolBound } from '../providers/types.js';

/**
 * What a request's advisor consultations (Anthropic's advisor tool, beta
 * `advisor_20260301`) may run to, for the budget reservation (gate.ts advisorEstimate).
 *
 * Each consultation is a call of the advisor model that reads the transcript so far
 * (platform.claude.com/docs/en/agents-and-tools/tool-use/advisor-tool: "The advisor reads
 * the full conversation"): the request's prompt, the executor's output up to that point and
 * the advice of the earlier consultations (their thinking is dropped, so their output is an
 * upper bound of what stays). Consultation i of a tool (from 0) reads at most
 *     prompt + executor's max output + other tools' consultations' output + i × this tool's output
 * and answers at most the tool's `max_tokens` ("Bounds the advisor's total output (thinking +
 * text) per call", SDK BetaAdvisorTool20260301). Input grows by one answer per consultation:
 * an arithmetic series, priced from its first and last terms.
 */

/**
 * Output tokens (thinking + text) held for one consultation when the tool sets no
 * `max_tokens`: the top of the range Anthropic's advisor tool docs give as typical, "400 to
 * 700 text tokens, 1,400 to 1,800 tokens total including thinking". Not a cap: without
 * `max_tokens` "the advisor model's default output cap applies" (SDK), far above it.
 */
export const ADVISOR_TYPICAL_OUTPUT_TOKENS = 1_800;

/**
 * Consultations held for a tool without `max_uses`. The API documents neither a default nor
 * a maximum (SDK: "Maximum number of times the tool can be used in the API request",
 * optional), so one request may consult any number of times. 3: the "key moments during a
 * task" Claude Code's advisor docs (code.claude.com/docs/en/advisor) give for a consultation
 * are three, "before committing to an approach, when stuck on a recurring error, or before
 * declaring a task complete". Not a bound: each consultation past the third of a call in
 * flight can take the spend over the cap by its cost (docs/prices.md, "Advisor tool").
 */
export const ADVISOR_DEFAULT_MAX_USES = 3;

/** The consultations of one advisor tool as the reservation holds them. */
export interface ConsultationSeries {
  /** The model each consultation runs (null: one tokometer cannot name, held at the fallback prices). */
  model: string | null;
  /** Consultations held: `max_uses`, else {@link ADVISOR_DEFAULT_MAX_USES}. */
  count: number;
  /** Output tokens of each: the tool's `max_tokens`, else {@link ADVISOR_TYPICAL_OUTPUT_TOKENS}. */
  outputTokens: number;
  /** Tokens beyond the prompt the first consultation reads: the executor's max output and every other tool's consultations' output. */
  firstExtraInputTokens: number;
  /** Tokens beyond the prompt the last one reads: the first's plus (count − 1) × outputTokens (this tool's earlier answers). */
  lastExtraInputTokens: number;
}

/**
 * The consultation series of each advisor tool of a request whose executor outputs at most
 * `executorOutputTokens` (its `max_tokens`). With several advisor tools (the API names the
 * tool `advisor`, so one in practice), each tool's consultations are held as reading every
 * other tool's answers: an upper bound whatever order they run in.
 */
export function consultationSeries(tools: readonly AdvisorToolBound[], executorOutputTokens: number): ConsultationSeries[] {
  const shapes = tools.map((tool) => ({
    model: tool.model,
    count: tool.maxUses ?? ADVISOR_DEFAULT_MAX_USES,
    outputTokens: tool.maxOutputTokens ?? ADVISOR_TYPICAL_OUTPUT_TOKENS,
  }));
  const allOutput = shapes.reduce((sum, s) => sum + s.count * s.outputTokens, 0);
  return shapes.map((s) => {
    const first = executorOutputTokens + allOutput - s.count * s.outputTokens;
    return { ...s, firstExtraInputTokens: first, lastExtraInputTokens: first + Math.max(0, s.count - 1) * s.outputTokens };
  });
}
