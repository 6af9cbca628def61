/**
 * Requests that mint a short-lived provider credential with the provider key tokometer
 * holds, for a client to use directly (a browser or phone talking to the provider's realtime
 * API). What that credential is used for never passes through tokometer: no meter, no
 * budget, no model allow-list. So these requests are refused (RequestInfo.refused, a 400
 * saying why), never forwarded: forwarding them would let any metering key, one at its cap
 * included, spend without limit on the operator's account.
 */

/** The refusal's text for `what` (a provider's name and path, e.g. "OpenAI's /realtime/client_secrets"). */
export function mintRefused(what: string): string {
  return `${what} mints a provider credential with the key tokometer holds; what that credential is used for goes to the provider directly, past tokometer's metering and budgets, so tokometer does not forward it. Call the provider with a key of your own for it.`;
}

/** OpenAI's minting paths (openai 6.49.0: realtime client secrets, realtime and transcription sessions, ChatKit sessions), keyed as the adapter's endpoint table (no `/v1`). */
export const OPENAI_MINTING_PATHS: Readonly<Record<string, string>> = Object.fromEntries(
  ['/realtime/client_secrets', '/realtime/sessions', '/realtime/transcription_sessions', '/chatkit/sessions'].map((path) => [path, mintRefused(`OpenAI's ${path}`)]),
);

/** Gemini's ephemeral tokens (@google/genai `tokens.create`: POST {version}/auth_tokens). */
export const GEMINI_MINTING_PATH = /^\/(v1|v1beta|v1alpha)\/auth_tokens$/;

/** The refusal of a Gemini ephemeral token request. */
export const GEMINI_MINT_REFUSED = mintRefused("Gemini's auth_tokens");
