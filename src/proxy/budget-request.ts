import type { RequestInfo } from '../providers/types.js';
import type { BudgetRequest, ProxyDeps } from './deps.js';

/** What the proxy remembers of provider-side state a request may use: continued conversations, Gemini caches. */
export type ProviderState = Pick<ProxyDeps<unknown>, 'contexts' | 'cachedContents'>;

/**
 * What the budget gate is told about a described call before it is forwarded: who sends it
 * (`keyName`, effective `tags`), what may run (the model and any fallbacks the provider may
 * bill instead), how large it can get (the prompt's bytes, output limit × answers, search
 * uses, a continued conversation's tokens, advisor consultations) and the price modifiers
 * it asks for. `bodyBytes` is the request body's size; a file upload counts only its text
 * fields as prompt, and an audio upload its audio's estimated tokens and seconds beside
 * them (RequestInfo.upload: the seconds are held for a model billed by duration, whisper-1),
 * an OCR request the most pages it can be billed for (RequestInfo.documentPages), images and
 * documents named by URL or file id their bounds (RequestInfo.referencedInputTokens),
 * and a Gemini cache the request reads its size (`state.cachedContents`,
 * proxy/cached-content-sizes.ts). `at`: ms since the epoch. `outputLimitParam`: the body field
 * that would limit the output of a request that set no limit (ProviderAdapter.outputLimitParam),
 * for a busy refusal's hint.
 */
export function budgetRequestOf(
  keyName: string | null,
  tags: Readonly<Record<string, string>>,
  provider: string,
  info: RequestInfo,
  bodyBytes: number,
  state: ProviderState | undefined,
  at: number,
  outputLimitParam?: string,
): BudgetRequest {
  const request: BudgetRequest = {
    keyName,
    tags,
    provider,
    model: info.model,
    fallbackModels: info.fallbackModels,
    metered: info.metered,
    promptBytes: info.upload?.textBytes ?? bodyBytes,
    maxOutputTokens: info.maxOutputTokens,
    outputLimitParam,
    outputChoices: info.outputChoices ?? 1,
    maxWebSearches: info.maxWebSearches,
    webSearchPreview: info.webSearchPreview,
    maxFileSearches: info.maxFileSearches,
    serverToolInput: info.serverToolInput,
    billing: info.billing,
    advisorTools: info.advisorTools,
    imageTools: info.imageTools,
    contextTokens: unseenInputTokens(info, state),
    referencedInputTokens: info.referencedInputTokens,
    audioSeconds: info.upload?.audioSeconds,
    documentPages: info.documentPages,
    at,
  };
  // The one check a request without a cache pays.
  if (info.cachedContent !== undefined) request.cachedPromptTokens = state?.cachedContents?.reserveTokens(provider, info.cachedContent, keyName, info.model) ?? 0;
  return request;
}

/**
 * Input tokens the request's bytes do not count: a continued conversation's (as far as
 * `state.contexts` knows it) plus an audio upload's audio (RequestInfo.upload.audioTokens)
 * or an image upload's images (RequestInfo.upload.imageTokens); undefined when it has none.
 */
function unseenInputTokens(info: RequestInfo, state: ProviderState | undefined): number | undefined {
  const context = info.continues === undefined ? undefined : state?.contexts?.tokensOf(info.continues);
  const upload = info.upload === undefined ? undefined : (info.upload.audioTokens ?? info.upload.imageTokens);
  return context === undefined && upload === undefined ? undefined : (context ?? 0) + (upload ?? 0);
}
