import type { RequestInfo } from '../providers/types.js';
import type { ContextMemory } from './context-memory.js';
import type { BudgetRequest } from './deps.js';

/**
 * What the budget gate is told about a described call before it is forwarded: who sends it
 * (`keyName`, effective `tags`), what may run (the model and any fallbacks the provider may
 * bill instead), how large it can get (the prompt's bytes, output limit × answers, search
 * uses, a continued conversation's tokens, advisor consultations) and the price modifiers
 * it asks for. `bodyBytes` is the request body's size; a file upload counts only its text
 * fields as prompt, and an audio upload its audio's estimated tokens and seconds beside
 * them (RequestInfo.upload: the seconds are held for a model billed by duration, whisper-1).
 * `at`: ms since the epoch.
 */
export function budgetRequestOf(
  keyName: string | null,
  tags: Readonly<Record<string, string>>,
  provider: string,
  info: RequestInfo,
  bodyBytes: number,
  contexts: ContextMemory | undefined,
  at: number,
): BudgetRequest {
  return {
    keyName,
    tags,
    provider,
    model: info.model,
    fallbackModels: info.fallbackModels,
    metered: info.metered,
    promptBytes: info.upload?.textBytes ?? bodyBytes,
    maxOutputTokens: info.maxOutputTokens,
    outputChoices: info.outputChoices ?? 1,
    maxWebSearches: info.maxWebSearches,
    maxFileSearches: info.maxFileSearches,
    billing: info.billing,
    advisorTools: info.advisorTools,
    contextTokens: unseenInputTokens(info, contexts),
    audioSeconds: info.upload?.audioSeconds,
    at,
  };
}

/**
 * Input tokens the request's bytes do not count: a continued conversation's (as far as
 * `contexts` knows it) plus an audio upload's audio (RequestInfo.upload.audioTokens);
 * undefined when it has neither.
 */
function unseenInputTokens(info: RequestInfo, contexts: ContextMemory | undefined): number | undefined {
  const context = info.continues === undefined ? undefined : contexts?.tokensOf(info.continues);
  const audio = info.upload?.audioTokens;
  return context === undefined && audio === undefined ? undefined : (context ?? 0) + (audio ?? 0);
}
