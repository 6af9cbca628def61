import type { KnownEndpoint } from './define-adapter.js';
import { isObj, normalisePath, str } from './json.js';
import type { ProviderAdapter, RequestInfo } from './types.js';

/**
 * Azure OpenAI's deployment paths on the OpenAI adapter (PROVIDERS.md §2.6): openai-node's
 * AzureOpenAI calls `/deployments/{deployment}/chat/completions` (and completions,
 * embeddings, audio, images, batches) with `?api-version=`, optionally under `/openai` when
 * the SDK's base URL carries it. There the deployment, not the body's `model`, picks the model
 * that runs (Azure ignores the body's); the answer's `model` names it, and prices the call as
 * for OpenAI. Such a path is described as the OpenAI path it ends in, with:
 * - `model` (as requested, for holds and the record): the model the config maps the
 *   deployment to (`providers.NAME.deployments`), else the body's `model`, else the
 *   deployment's name;
 * - `deployment`: its name and mapped model, which a key's model allow-list is checked against
 *   (proxy/model-allow-list.ts), never the body's `model`.
 * A POST on a deployment path the adapter cannot meter is refused (RequestInfo.refused), never
 * forwarded as an unmetered call at $0, as the gemini provider does for Vertex AI paths it
 * cannot meter. Batch jobs pass through unmetered, as OpenAI's `/batches` do.
 */

/** `[/openai]/deployments/{name}/{rest}` after normalisePath: the deployment's name and the OpenAI path it ends in. */
const DEPLOYMENT_PATH = /^(?:\/openai)?\/deployments\/([^/]+)(\/.+)$/;

/** Paths under a deployment forwarded unmetered, as their OpenAI paths are (docs/prices.md, Batch jobs). */
const UNMETERED = /^\/batches(?:\/|$)/;

/** The model each deployment of a provider runs, as configured (`deployments: {prod-gpt4o: gpt-4o}`). */
export type DeploymentModels = Readonly<Record<string, string>>;

/** The paths of `endpoints` as they follow `/deployments/NAME/`, in words: `chat/completions, embeddings and audio/speech`. */
function meteredPathsInWords(endpoints: Readonly<Record<string, KnownEndpoint>>): string {
  const paths = Object.keys(endpoints).map((path) => path.replace(/^\//, ''));
  return paths.length <= 1 ? (paths[0] ?? 'nothing') : `${paths.slice(0, -1).join(', ')} and ${paths[paths.length - 1]}`;
}

/** Why a POST on deployment path `rest` is refused; `metered`: meteredPathsInWords of the adapter's table. */
function unmeteredRefusal(name: string, rest: string, metered: string): string {
  return (
    `POST ${rest} on deployment '${name}' is not metered by an openai-compatible provider, so tokometer does not forward it. ` +
    `It meters ${metered} on a deployment, and forwards its batches unmetered.`
  );
}

/**
 * Wraps `adapter.describe` so that deployment paths are described as above; every other
 * path is described as before (one substring test on the way). `endpoints`: the adapter's
 * metered POST paths (keyed as normalisePath gives them), which the refusal above names, so a
 * path added to them is named there too; `models`: the configured map.
 */
export function withDeployments(adapter: ProviderAdapter, endpoints: Readonly<Record<string, KnownEndpoint>>, models: DeploymentModels): ProviderAdapter {
  const plain = adapter.describe;
  const metered = meteredPathsInWords(endpoints);
  adapter.describe = (method, path, body): RequestInfo => {
    if (!path.includes('/deployments/')) return plain(method, path, body);
    const match = DEPLOYMENT_PATH.exec(normalisePath(path, true));
    if (match === null) return plain(method, path, body);
    const [, name, rest] = match as unknown as [string, string, string];
    const restKey = normalisePath(rest, true);
    const post = method.toUpperCase() === 'POST';
    if (!post || endpoints[restKey] === undefined) {
      const info = plain(method, rest, body);
      if (post && info.refused === undefined && !UNMETERED.test(restKey)) info.refused = unmeteredRefusal(name, restKey, metered);
      return info;
    }
    const mapped = Object.hasOwn(models, name) ? (models[name] as string) : null;
    const fields = isObj(body) ? body : {};
    const model = mapped ?? str(fields.model) ?? name;
    const info = plain(method, rest, { ...fields, model });
    info.deployment = { name, model: mapped };
    return info;
  };
  return adapter;
}
