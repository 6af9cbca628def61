import { MAX_MODEL_NAME_BYTES, isModelNameTooLong } from '../domain/model-names.js';
import { utf8Length } from '../lib/utf8-length.js';
import { ProxyError } from '../lib/errors.js';
import type { RequestInfo } from '../providers/types.js';
import type { ResolvedKey } from './auth.js';
import type { FormFields } from './form-fields.js';

/**
 * What models a request may name: at most MAX_MODEL_NAME_BYTES long (modelNameRefusal),
 * and those of its key's allow-list (modelRefusal).
 */

/**
 * Why a key's model allow-list refuses a request, or null when it passes (always null for a
 * key without one). Every model the provider may run for the request is checked: the one it
 * names (`info.model`) and its fallbacks (`info.fallbackModels`). A metered request that
 * names no model, and a fallback the provider picks itself (a null entry), still run a model
 * the list cannot check: refused, never passed. Unmetered requests (file lists…) need none.
 */
export function modelRefusal(key: ResolvedKey, info: RequestInfo, provider = 'NAME'): ProxyError | null {
  if (key.models.length === 0) return null;
  if (info.deployment !== undefined) return deploymentRefusal(key, info.deployment, provider);
  const allowed = key.models.join(', ');
  if (info.model !== null && !key.models.includes(info.model)) {
    return new ProxyError('forbidden', `Key '${key.name}' may not use model '${info.model}' (allowed: ${allowed}).`);
  }
  if (info.model === null && info.metered) {
    return new ProxyError(
      'forbidden',
      `Key '${key.name}' may only use models ${allowed}, and this request names no model tokometer can read (e.g. one taken from a stored prompt, agent or conversation); name the model in the request.`,
    );
  }
  for (const { model: fallback } of info.fallbackModels ?? []) {
    if (fallback === null) {
      return new ProxyError('forbidden', `Key '${key.name}' may only use models ${allowed}, and this request lets the provider pick a fallback model itself; list the fallback models instead.`);
    }
    if (!key.models.includes(fallback)) return new ProxyError('forbidden', `Key '${key.name}' may not use fallback model '${fallback}' (allowed: ${allowed}).`);
  }
  return null;
}

/**
 * Why a key's model allow-list refuses a call to Azure OpenAI deployment `d` of `provider`
 * (RequestInfo.deployment), or null. The deployment picks the model that runs, whatever the
 * body's `model` says, so the list is checked against the deployment: a mapped deployment
 * passes when the list names the model the config maps it to (never by its name, which may
 * read as another model's); an unmapped one runs a model tokometer cannot know before
 * forwarding, so it passes only when the list names the deployment itself.
 */
function deploymentRefusal(key: ResolvedKey, d: NonNullable<RequestInfo['deployment']>, provider: string): ProxyError | null {
  const allowed = key.models.join(', ');
  if (d.model !== null) {
    return key.models.includes(d.model) ? null : new ProxyError('forbidden', `Key '${key.name}' may not use model '${d.model}' (deployment '${d.name}' runs it; allowed: ${allowed}).`);
  }
  if (key.models.includes(d.name)) return null;
  return new ProxyError(
    'forbidden',
    `Key '${key.name}' may only use models ${allowed}, and deployment '${d.name}' runs a model tokometer cannot know before forwarding (the deployment picks it, not the body's model). ` +
      `Map the deployment to its model in the config (providers.${provider}.deployments: { ${d.name}: MODEL }), or add '${d.name}' to the key's models to allow the deployment by name.`,
  );
}

/**
 * Why a request naming a model longer than MAX_MODEL_NAME_BYTES (256 UTF-8 bytes) is
 * refused (400, before it is forwarded), or null. No provider names a model that long; the
 * stores could only keep the name cut (domain/model-names.ts storedModelName).
 */
export function modelNameRefusal(info: RequestInfo): ProxyError | null {
  if (info.model === null || !isModelNameTooLong(info.model)) return null;
  return new ProxyError('bad_request', `The model name is ${utf8Length(info.model)} bytes long (at most ${MAX_MODEL_NAME_BYTES}); no provider names a model that long.`);
}

/**
 * The form fields an image request's hold is read from (image-output-tokens.ts imageOutputTokens,
 * openai.ts outputChoices and isStreaming): `n` images of `size` and `quality`, plus
 * `partial_images`, streamed or not.
 */
const IMAGE_HOLD_FIELDS = ['n', 'size', 'quality', 'partial_images', 'stream'] as const;

/**
 * Why a multipart form (a file upload) that sends a field more than once with different
 * values is refused (400, before it is forwarded), or null: the provider may take either
 * (its parser takes the first or the last), tokometer reads the first. Checked: `model`
 * (neither the allow-list nor the price could be trusted), and for an image request (kind
 * `images`) the fields its hold is read from (IMAGE_HOLD_FIELDS: `n=1` then `n=10` would be
 * held for 1 image and billed for 10). null for a JSON body (`form` null).
 */
export function formFieldRefusal(form: FormFields | null, info: RequestInfo): ProxyError | null {
  // Every call passes here: no closure in this function, so none of its scope is allocated per call.
  if (form === null || form.conflicting.length === 0) return null;
  return conflictRefusal(form, info.kind === 'images' ? IMAGE_CHECKED_FIELDS : MODEL_ONLY);
}

const MODEL_ONLY: readonly string[] = ['model'];
const IMAGE_CHECKED_FIELDS: readonly string[] = ['model', ...IMAGE_HOLD_FIELDS];

/** A field's value may be up to 64 KiB (form-fields.ts): quoted to 40 characters. */
function quoted(v: string | undefined): string {
  return v === undefined ? '' : v.length > 40 ? `${v.slice(0, 40)}…` : v;
}

/** The refusal for the first of `checked` that `form` sends with different values, or null. */
function conflictRefusal(form: FormFields, checked: readonly string[]): ProxyError | null {
  const name = checked.find((n) => form.conflicting.includes(n));
  if (name === undefined) return null;
  const values = `'${quoted(form.fields[name])}' and '${quoted(form.otherValues?.[name])}'`;
  return new ProxyError('bad_request', `The multipart form sends field '${name}' more than once with different values (${values}); send it once.`);
}
