import { textFor } from './text.js';
import type { Intent } from './workload.js';

/**
 * The text the demo's three features send, built from an Intent. Identical intents give
 * identical prompts (so the proxy's request hash sees repeats); sizes are in tokens as
 * the simulated provider counts them (text.ts).
 */

/** A chat-style prompt, rendered per API family by requests.ts. */
export interface Prompt {
  system: string;
  messages: Array<{ role: 'user' | 'assistant'; content: string }>;
  /** Requested max output tokens; null = the feature sets no limit. */
  maxTokens: number | null;
  stream: boolean;
}

/** The features' fixed system prompts. */
interface SystemPrompts {
  summarizer: string;
  autocomplete: string;
  /** The chatbot's static instructions and product knowledge, ~4,000 tokens, sent on every turn. */
  chatbotPolicy: string;
}

let systemPrompts: SystemPrompts | undefined;

/**
 * Built on first use, not when this module loads: every CLI command loads the demo's
 * modules, and the first `textFor` builds text.ts's 512 K-character corpus (~15 ms on Bun,
 * ~30 ms on Node, and half a megabyte kept for the process's life, serve's included).
 */
function systems(): SystemPrompts {
  systemPrompts ??= {
    summarizer: `You are a document summarizer. Summarize the document the user sends in at most five short bullet points.\n${textFor('summarizer-system', 320)}`,
    autocomplete: `You are a code completion engine. Complete the code at <CURSOR>. Answer with code only.\n${textFor('autocomplete-system', 280)}`,
    chatbotPolicy: `You are the in-app assistant. Answer briefly and cite the help articles you use.\n${textFor('chatbot-policy', 4000)}`,
  };
  return systemPrompts;
}

/** Output cap of the summarizer and the autocomplete; the chatbot sets none. */
export const SUMMARIZER_MAX_TOKENS = 1024;
export const AUTOCOMPLETE_MAX_TOKENS = 64;

export function promptFor(intent: Exclude<Intent, { kind: 'embed' }>): Prompt {
  switch (intent.kind) {
    case 'summarize':
      return {
        system: systems().summarizer,
        messages: [{ role: 'user', content: `Document ${intent.docKey}\n\n${textFor(`doc:${intent.docKey}`, intent.docTokens)}` }],
        maxTokens: SUMMARIZER_MAX_TOKENS,
        stream: false,
      };
    case 'chat': {
      // The timestamp leads the system prompt, so no two turns share a cacheable prefix.
      const rag = intent.ragTokens > 0 ? `\n\nRelevant help articles:\n${textFor(`rag:${intent.sessionId}:${intent.turn}`, intent.ragTokens)}` : '';
      const messages: Prompt['messages'] = [];
      intent.history.forEach((h, i) => {
        messages.push({ role: 'user', content: textFor(`q:${h.key}`, h.questionTokens) });
        messages.push({ role: 'assistant', content: textFor(`a:${intent.sessionId}:${i}`, h.answerTokens) });
      });
      messages.push({ role: 'user', content: textFor(`q:${intent.questionKey}`, intent.questionTokens) });
      return { system: `Current time: ${intent.stamp}. Customer: ${intent.user}.\n${systems().chatbotPolicy}${rag}`, messages, maxTokens: null, stream: true };
    }
    case 'complete': {
      const ctx = intent.contextTokens;
      const content =
        `// completion ${intent.callKey}: related snippets\n${textFor(`nb:${intent.callKey}`, ctx * 0.35)}\n` +
        `// file ${intent.fileKey}\n${textFor(`file:${intent.fileKey}`, ctx * 0.55)}<CURSOR>${textFor(`suffix:${intent.callKey}`, ctx * 0.1)}`;
      return { system: systems().autocomplete, messages: [{ role: 'user', content }], maxTokens: AUTOCOMPLETE_MAX_TOKENS, stream: false };
    }
  }
}

/** The text an embedding call sends. */
export function embedText(intent: Extract<Intent, { kind: 'embed' }>): string {
  return textFor(`q:${intent.textKey}`, intent.tokens);
}
