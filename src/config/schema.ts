import { z } from 'zod';
import { PROVIDER_NAME_RE, PROVIDER_NAME_RULE } from '../domain/names.js';
import { HOST_RULE, isHostOrIp } from '../lib/host.js';
import { MAX_LIMIT_USD } from '../lib/money.js';
import { isValidTimeZone } from '../lib/tz.js';
import { PROVIDER_FAMILIES } from '../providers/builtins.js';
import { alertFractions } from '../schemas/alert-at.js';
import { refuseSubNano } from '../schemas/limit-usd.js';
import { tagKey, tagMap } from '../schemas/tags.js';
import { priceOverrideSchema } from './price-schema.js';
import { telemetrySchema } from './telemetry-schema.js';

/**
 * The config file's schema: the only source of config types.
 * Every section is optional (SPEC §10); defaults are applied here so the rest of
 * the code never checks for missing sections. Money is in USD here (floats, as
 * written by people); convert to integer nano-USD when leaving config.
 * Checks that need the whole document (duplicate names, provider defaults) live in
 * `checks.ts`; `loadConfig` (load.ts) runs both and adds env fallbacks.
 */

const period = z.enum(['day', 'week', 'month', 'total']);
const limitUsd = z
  .number()
  .nonnegative()
  .max(MAX_LIMIT_USD, `at most ${MAX_LIMIT_USD} USD (larger amounts cannot be counted to the nano-dollar)`)
  .superRefine(refuseSubNano);
/** What is wrong with a header secret that holds a control character (config check, load.ts for secrets from the environment). */
export const HEADER_CONTROL_CHAR_PROBLEM = 'holds a control character (a line break or tab inside the key?); a header cannot carry it';

/** True when `secret` holds a C0 control character or DEL, which no header can carry. */
export function holdsHeaderControlChar(secret: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(secret);
}

/**
 * A secret sent in a header (API keys, the admin token): read without surrounding
 * whitespace (a secret file's line end); a control character left inside cannot be sent.
 */
const headerSecret = z
  .string()
  .trim()
  .refine((v) => !holdsHeaderControlChar(v), { message: HEADER_CONTROL_CHAR_PROBLEM });
const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });
/** Alert thresholds as fractions of the limit (1 = 100%), strictly ascending. */
const alertAt = alertFractions.default([0.5, 0.8, 1]);

/** A per-key budget. Periods are calendar periods in `timezone` (week starts Monday). */
export const budgetSchema = z.strictObject({
  /** Cap per period, USD. */
  limit_usd: limitUsd,
  period: period.default('month'),
  alert_at: alertAt,
  /** true = alert only, never refuse calls. */
  soft: z.boolean().default(false),
});

export const providerSchema = z.strictObject({
  /**
   * API family, as users write it (SPEC §10): a family, or `openai-compatible` (the openai
   * family spoken by another vendor). Absent = the built-in provider's family, or openai
   * (providers/builtins.ts `familyOf`; config/providers.ts converts).
   */
  kind: z.enum([...PROVIDER_FAMILIES, 'openai-compatible']).optional(),
  /** Upstream base URL (http/https); required unless the name or kind has a built-in default. */
  base_url: httpUrl.optional(),
  /** Real provider key. After `loadConfig`: from config, else the provider's env variable; never ''. */
  api_key: headerSecret.optional(),
  /**
   * Organization admin key for the provider's usage and cost reports (`tokometer reconcile`;
   * openai and anthropic kinds). Never sent on proxied calls. Unset: OPENAI_ADMIN_KEY /
   * ANTHROPIC_ADMIN_KEY for the built-in providers of those names.
   */
  admin_key: headerSecret.optional(),
  /**
   * OpenAI family: the header the provider key goes upstream in: `authorization`
   * (`Authorization: Bearer KEY`, the default) or `api-key` (Azure OpenAI's).
   */
  auth_header: z.enum(['authorization', 'api-key'], { error: 'expected authorization (Authorization: Bearer KEY, the default) or api-key (api-key: KEY, as Azure OpenAI takes it)' }).optional(),
  /**
   * OpenAI family (Azure OpenAI): the model each deployment runs, by deployment name
   * (`prod-gpt4o: gpt-4o`), so budget holds and key model allow-lists know it before the
   * call is forwarded. An unmapped deployment is held as its name (or the body's model).
   */
  deployments: z.record(z.string().min(1), z.string().trim().min(1, 'expected the model the deployment runs, e.g. gpt-4o')).optional(),
  /**
   * Whether the price catalog (tokometer's overrides, stored snapshots, the pinned catalog)
   * may price calls through this provider by model name; false = only `prices:` entries
   * (without provider, or naming this one) price them, other calls are unpriced. Absent:
   * false for a custom provider with neither api_key nor auth_header (a local vLLM or
   * ollama), else true (config/catalog-prices.ts catalogPricesRule).
   */
  catalog_prices: z.boolean({ error: 'expected true (the catalog prices model names it knows) or false (only prices: entries price this provider)' }).optional(),
  /** ms to establish the upstream connection. */
  connect_timeout_ms: z.number().int().positive().optional(),
  /** ms to wait for upstream response headers. */
  header_timeout_ms: z.number().int().positive().optional(),
  /** ms allowed between two response body chunks. */
  idle_timeout_ms: z.number().int().positive().optional(),
});

export const keySchema = z.strictObject({
  budget: budgetSchema.optional(),
  /** Fixed tags every call of this key carries; they win over request tags. */
  tags: tagMap.optional(),
  /** Allowed provider names; absent = all. */
  providers: z.array(z.string()).optional(),
  /** Allowed models (as requested); absent = all. An empty name would match no request (every call refused). */
  models: z.array(z.string().refine((name) => name.trim() !== '', 'an empty name matches no request, so every call of the key would be refused (leave models out to allow all)')).optional(),
  /** Name of an environment variable holding this key's secret (`mk_…`). */
  secret_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
});

/** A budget over tags, across keys. Its name must differ from other budgets and from budgeted keys. */
export const tagBudgetSchema = z.strictObject({
  name: z.string().min(1),
  /** Which calls count: every listed tag must equal the value. Empty = all calls. */
  match: tagMap.default({}),
  /** Tag key: one budget per distinct value of this tag (e.g. user_id). */
  per: tagKey.optional(),
  /** Cap per period (and per `per` value), USD. */
  limit_usd: limitUsd,
  period: period.default('month'),
  alert_at: alertAt,
  /** true = alert only, never refuse calls. */
  soft: z.boolean().default(false),
});

/** The forms `duration` takes: a whole count and a unit (`500ms`, `30s`, `10m`, `24h`, `1d`). */
const DURATION_RE = /^(\d{1,9})(ms|s|m|h|d)$/;
const DURATION_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** ms of a text DURATION_RE matches. */
const durationMs = (text: string): number => Number(DURATION_RE.exec(text)![1]) * DURATION_MS[DURATION_RE.exec(text)![2]!]!;

/**
 * A duration such as `30s`, `10m`, `24h`, `1d` (or `500ms`) → ms; with `orOff`, also `off`
 * (→ null). One under `min.ms` is refused with `min.why`, the message naming the text given.
 */
const duration = (orOff: boolean, min: { ms: number; why: string }) =>
  z
    .string()
    .refine((text) => DURATION_RE.test(text) || (orOff && text === 'off'), `expected ${orOff ? 'off or ' : ''}a duration such as 30s, 10m, 24h or 1d`)
    .refine((text) => !DURATION_RE.test(text) || durationMs(text) !== 0, 'must be longer than 0')
    .refine((text) => !DURATION_RE.test(text) || durationMs(text) === 0 || durationMs(text) >= min.ms, { error: (issue) => `${String(issue.input)} is too short: ${min.why}` })
    .transform((text) => (DURATION_RE.test(text) ? durationMs(text) : null));

/** Shortest `prices.poll_interval` (each poll reads the database) and `prices.auto_update` (each fetches the published data, which changes a few times a week at most), ms. */
export const [MIN_PRICE_POLL_MS, MIN_AUTO_UPDATE_MS] = [1000, 3_600_000];

/**
 * `prices:` holds model prices (any key) plus these settings, which are not model names.
 * They are lifted out into `price_updates` by the schema's transform.
 */
export const pricesSectionSchema = z
  .object({
    /** Fetch the catalog's published data on this interval in `serve` (`off` or absent: never); at least MIN_AUTO_UPDATE_MS. */
    auto_update: duration(true, { ms: MIN_AUTO_UPDATE_MS, why: "the catalog's published data changes a few times a week at most; use 1h or more (24h is usual), or off" }).optional(),
    /**
     * URL or file `prices update` and auto_update read (default: the catalog's published data
     * URL). After `loadConfig` a file is absolute, resolved against the config file's folder.
     */
    source: z.string().min(1).optional(),
    /** How often `serve` checks the database for a newer price snapshot or a reprice (default 30s, at least MIN_PRICE_POLL_MS). */
    poll_interval: duration(false, { ms: MIN_PRICE_POLL_MS, why: 'serve reads the database at most once a second; use 1s or more (default 30s)' }).optional(),
  })
  .catchall(priceOverrideSchema);

const schemaFields = z.strictObject({
  listen: z
    .strictObject({
      /** The address to bind: an IP address or a hostname (lib/host.ts); `0.0.0.0` or `::` listens on every interface. */
      host: z
        .string()
        .min(1)
        .refine(isHostOrIp, { error: (issue) => `${JSON.stringify(issue.input)} is not ${HOST_RULE}` })
        .default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8787),
    })
    .default({ host: '127.0.0.1', port: 8787 }),
  /**
   * SQLite file, or a PostgreSQL URL (`postgres://user:pass@host:5432/db?sslmode=require`;
   * credentials may come from PG* variables instead). After `loadConfig` a file is absolute,
   * resolved against the config file's folder; a URL is left as written.
   */
  db: z.string().min(1).optional(),
  /** IANA zone for budget periods and report days. */
  timezone: z.string().default('UTC').refine(isValidTimeZone, { message: 'not a valid IANA time zone (e.g. UTC, Europe/Berlin)' }),
  /** Days raw calls are kept; absent = forever. Daily rollups are always kept. */
  retention_days: z.number().int().positive().optional(),
  providers: z.record(z.string().regex(PROVIDER_NAME_RE, `invalid provider name (${PROVIDER_NAME_RULE})`), providerSchema).default({}),
  keys: z.record(z.string().min(1), keySchema).default({}),
  budgets: z
    .array(tagBudgetSchema, {
      error: (iss) =>
        iss.code === 'invalid_type' && typeof iss.input === 'object' && iss.input !== null && 'admission_wait_ms' in iss.input
          ? 'expected a list of tag budgets; the admission wait is set at the top level: budget_admission_wait_ms'
          : undefined,
    })
    .default([]),
  /**
   * ms a call may wait for room on a budget that only calls in flight fill (then 429
   * budget_busy, retry soon); 0 = refuse at once (still budget_busy, never budget_exceeded).
   */
  budget_admission_wait_ms: z.number().int().nonnegative().max(3_600_000, 'at most 3600000 (one hour); clients give up long before').default(30_000),
  /**
   * What a call without an output limit (no max_tokens) holds on a hard budget for its output:
   * `history`, the largest output its key had from the model in 7 days (a cap that holds while
   * every answer stays within it), or `window`, the model's context window (a hard cap; such
   * calls on a small budget then run one at a time). budget/output-hold.ts.
   */
  budget_output_hold: z.enum(['history', 'window']).default('history'),
  tags: z.strictObject({ on_invalid: z.enum(['reject', 'drop']).default('reject') }).default({ on_invalid: 'reject' }),
  /** Model name → price override (adds to or replaces the catalog), and the price update settings. */
  prices: pricesSectionSchema.default({}),
  alerts: z.strictObject({ webhook_url: httpUrl.optional() }).default({}),
  /** Admin API token. After `loadConfig`: from config, else TOKOMETER_ADMIN_TOKEN; never ''. */
  admin: z.strictObject({ token: headerSecret.optional() }).default({}),
  economics: z
    .strictObject({
      /** Monthly revenue per user, USD, by user_tier tag value. */
      price_per_user: z.record(z.string(), z.number().nonnegative()).default({}),
      /** Monthly revenue per tenant, USD, by tenant_id tag value. */
      price_per_tenant: z.record(z.string(), z.number().nonnegative()).default({}),
    })
    .default({ price_per_user: {}, price_per_tenant: {} }),
  limits: z
    .strictObject({
      /** Request body cap, bytes. */
      max_body_bytes: z.number().int().positive().default(32 * 1024 * 1024),
      /** ms a client may take to send its request headers (408 after). Node only: the binary cuts unfinished headers after a fixed 10 s. */
      client_header_timeout_ms: z.number().int().positive().default(60_000),
      /** ms a client may pause between two pieces of its request body (408, nothing forwarded, after); the binary times declared bodies up to 1 MiB as a whole. */
      client_body_timeout_ms: z.number().int().positive().default(60_000),
      /** ms SIGINT/SIGTERM lets calls in flight finish before their connections are cut (then the records are written). */
      shutdown_grace_ms: z.number().int().nonnegative().default(10_000),
      /** Longest ms between two reads of a background response still running (the first read comes after 1 s or this, whichever is less). */
      background_poll_ms: z.number().int().positive().default(30_000),
      /** ms a background response may run before its call is recorded with the estimate from its request. */
      background_max_wait_ms: z.number().int().positive().default(3 * 3600_000),
    })
    .default({ max_body_bytes: 32 * 1024 * 1024, client_header_timeout_ms: 60_000, client_body_timeout_ms: 60_000, shutdown_grace_ms: 10_000, background_poll_ms: 30_000, background_max_wait_ms: 3 * 3600_000 }),
  /** Serve HTTPS instead of HTTP: PEM certificate chain and private key files. */
  tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  store: z
    .strictObject({
      /** ms between batched writes of call records. */
      flush_interval_ms: z.number().int().positive().default(50),
      /** When the database cannot be written and the buffers are full: keep serving (serve) or refuse calls with 503 (refuse). */
      on_error: z.enum(['serve', 'refuse']).default('serve'),
      /** Call records kept in memory while the database fails (before and beyond the spill file). */
      max_buffered_records: z.number().int().positive().default(100_000),
      /** Largest size in bytes of the spill file that takes records while the database fails. */
      spill_max_bytes: z.number().int().nonnegative().default(64 * 1024 * 1024),
      /**
       * The spill file. Default `<db>.spill` beside a SQLite file; with PostgreSQL
       * `./tokometer-pg-<listen port>.spill` (one per replica on a host). After `loadConfig`: absolute.
       */
      spill_path: z.string().min(1).optional(),
    })
    .default({ flush_interval_ms: 50, on_error: 'serve', max_buffered_records: 100_000, spill_max_bytes: 64 * 1024 * 1024 }),
  /** OpenTelemetry export (telemetry-schema.ts); off unless an endpoint is set here or in OTEL_* variables. */
  telemetry: telemetrySchema.prefault({}),
});

/** Default of `prices.poll_interval`, ms. */
export const DEFAULT_PRICE_POLL_MS = 30_000;

/** The config with `prices:` split into model prices (`prices`) and their update settings (`price_updates`). */
export const configSchema = schemaFields.transform(({ prices, ...rest }) => {
  const { auto_update, source, poll_interval, ...models } = prices;
  const price_updates = {
    /** ms between fetches of the published catalog by `serve`; null = never. */
    autoUpdateMs: auto_update ?? null,
    /** URL or file to fetch from; null = the catalog's published data URL. */
    source: source ?? null,
    /** ms between checks for a newer snapshot or reprice by `serve`. */
    pollIntervalMs: poll_interval ?? DEFAULT_PRICE_POLL_MS,
  };
  return { ...rest, prices: models as Record<string, PriceOverrideConfig>, price_updates };
});

export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type KeyConfig = z.infer<typeof keySchema>;
export type TagBudgetConfig = z.infer<typeof tagBudgetSchema>;
export type PriceOverrideConfig = z.infer<typeof priceOverrideSchema>;

/** The words `kind:` accepts: a family name or `openai-compatible`. */
export type FamilyWord = NonNullable<ProviderConfig['kind']>;
