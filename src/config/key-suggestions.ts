import { closest } from '../lib/edit-distance.js';

/**
 * The "did you mean" of an unknown config key: which allowed key of the same mapping the
 * writer most likely meant. Tried in order, the first that names an allowed key wins:
 *
 * 1. A word users bring from other tools (`server:` for `listen:`, `database:` for `db:`,
 *    `limit:` for `limit_usd:`): KEY_SYNONYMS, taken only where its target is allowed.
 * 2. A misspelling: the allowed key within edit distance 2 (lib/edit-distance.ts closest).
 * 3. A key that shares one word with exactly one allowed key (`unit_economics` → `economics`,
 *    `retention` → `retention_days`); words are the parts between `_`, of 3 letters or more.
 *
 * Keys are compared lower-cased, with `-` and camelCase read as `_` (`baseURL` → `base_url`).
 */

/** Other tools' words (normalised: lower case, `_`) → the key that means it here, in whichever mapping allows that key. */
const KEY_SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  // Top level.
  server: ['listen'],
  http: ['listen'],
  bind: ['listen', 'host'],
  address: ['listen', 'host'],
  database: ['db'],
  database_url: ['db'],
  sqlite: ['db'],
  storage: ['db'],
  time_zone: ['timezone'],
  tz: ['timezone'],
  pricing: ['prices'],
  model_prices: ['prices'],
  revenue: ['economics'],
  plans: ['economics'],
  webhook: ['alerts'],
  webhooks: ['alerts'],
  notifications: ['alerts'],
  auth: ['admin'],
  otel: ['telemetry'],
  opentelemetry: ['telemetry'],
  tracing: ['telemetry'],
  ssl: ['tls'],
  https: ['tls'],
  upstreams: ['providers'],
  backends: ['providers'],
  quotas: ['budgets'],
  spending_limits: ['budgets'],
  api_keys: ['keys'],
  // listen:
  hostname: ['host'],
  ip: ['host'],
  // A budget (keys.<name>.budget, budgets[]).
  limit: ['limit_usd', 'limits'],
  cap: ['limit_usd'],
  amount: ['limit_usd'],
  max_usd: ['limit_usd'],
  usd: ['limit_usd'],
  window: ['period'],
  interval: ['period'],
  reset: ['period'],
  alerts: ['alert_at', 'alerts'],
  thresholds: ['alert_at'],
  warn_at: ['alert_at'],
  notify_at: ['alert_at'],
  warn_only: ['soft'],
  alert_only: ['soft'],
  filter: ['match'],
  where: ['match'],
  selector: ['match'],
  group_by: ['per'],
  split_by: ['per'],
  // A provider.
  url: ['base_url'],
  endpoint: ['base_url'],
  api_base: ['base_url'],
  base: ['base_url'],
  key: ['api_key'],
  apikey: ['api_key'],
  token: ['api_key', 'token'],
  secret: ['api_key', 'secret_env'],
  type: ['kind'],
  family: ['kind'],
  // A key.
  allowed_models: ['models'],
  allowed_providers: ['providers'],
  env: ['secret_env'],
};

/** Shortest word of a key that counts for rule 3. */
const MIN_WORD = 3;

/** The allowed key `key` most likely means (see above), or undefined when none stands out. */
export function suggestKey(key: string, allowed: readonly string[]): string | undefined {
  const word = normalise(key);
  const synonym = (Object.hasOwn(KEY_SYNONYMS, word) ? KEY_SYNONYMS[word]! : []).find((target) => allowed.includes(target));
  if (synonym !== undefined) return synonym;
  const near = closest(word, allowed);
  if (near !== undefined) return near;
  const words = new Set(word.split('_').filter((w) => w.length >= MIN_WORD));
  const sharing = allowed.filter((candidate) => candidate.split('_').some((w) => words.has(w)));
  return sharing.length === 1 ? sharing[0] : undefined;
}

function normalise(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/-/g, '_');
}
