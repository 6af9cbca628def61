import { z } from 'zod';

/**
 * The config file's schema: the only source of config types.
 * Every section is optional (SPEC §10); defaults are applied here so the rest of
 * the code never checks for missing sections.
 */

const tagMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));
const period = z.enum(['day', 'week', 'month', 'total']);
const nonNegativeUsd = z.number().nonnegative();

export const budgetSchema = z.strictObject({
  limit_usd: nonNegativeUsd,
  period: period.default('month'),
  alert_at: z.array(z.number().positive().max(10)).default([0.5, 0.8, 1]),
  soft: z.boolean().default(false),
});

export const providerSchema = z.strictObject({
  /** API family; defaults to the built-in provider of the same name, or openai-compatible. */
  kind: z.enum(['openai', 'anthropic', 'gemini', 'mistral', 'cohere', 'openai-compatible']).optional(),
  base_url: z.url().optional(),
  api_key: z.string().optional(),
  /** ms to establish the upstream connection. */
  connect_timeout_ms: z.number().int().positive().optional(),
  /** ms to wait for upstream response headers. */
  header_timeout_ms: z.number().int().positive().optional(),
  /** ms allowed between two response body chunks. */
  idle_timeout_ms: z.number().int().positive().optional(),
});

export const keySchema = z.strictObject({
  budget: budgetSchema.optional(),
  tags: tagMap.optional(),
  providers: z.array(z.string()).optional(),
  models: z.array(z.string()).optional(),
  /** Name of an environment variable holding this key's secret (`mk_…`). */
  secret_env: z.string().optional(),
});

export const tagBudgetSchema = z.strictObject({
  name: z.string().min(1),
  match: tagMap.default({}),
  per: z.string().optional(),
  limit_usd: nonNegativeUsd,
  period: period.default('month'),
  alert_at: z.array(z.number().positive().max(10)).default([0.5, 0.8, 1]),
  soft: z.boolean().default(false),
});

export const priceOverrideSchema = z.strictObject({
  provider: z.string().optional(),
  /** USD per 1M tokens. */
  input: z.number().nonnegative(),
  output: z.number().nonnegative().default(0),
  cached_input: z.number().nonnegative().optional(),
  cache_write: z.number().nonnegative().optional(),
  cache_write_1h: z.number().nonnegative().optional(),
});

export const configSchema = z.strictObject({
  listen: z.strictObject({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8787) }).default({ host: '127.0.0.1', port: 8787 }),
  db: z.string().optional(),
  timezone: z.string().default('UTC').refine(isValidTimeZone, { message: 'not a valid IANA time zone (e.g. UTC, Europe/Berlin)' }),
  retention_days: z.number().int().positive().optional(),
  providers: z.record(z.string(), providerSchema).default({}),
  keys: z.record(z.string(), keySchema).default({}),
  budgets: z.array(tagBudgetSchema).default([]),
  tags: z.strictObject({ on_invalid: z.enum(['reject', 'drop']).default('reject') }).default({ on_invalid: 'reject' }),
  prices: z.record(z.string(), priceOverrideSchema).default({}),
  alerts: z.strictObject({ webhook_url: z.url().optional() }).default({}),
  admin: z.strictObject({ token: z.string().optional() }).default({}),
  economics: z
    .strictObject({
      price_per_user: z.record(z.string(), z.number().nonnegative()).default({}),
      price_per_tenant: z.record(z.string(), z.number().nonnegative()).default({}),
    })
    .default({ price_per_user: {}, price_per_tenant: {} }),
  limits: z.strictObject({ max_body_bytes: z.number().int().positive().default(32 * 1024 * 1024) }).default({ max_body_bytes: 32 * 1024 * 1024 }),
  store: z
    .strictObject({
      /** ms between batched writes of call records. */
      flush_interval_ms: z.number().int().positive().default(50),
      on_error: z.enum(['serve', 'refuse']).default('serve'),
    })
    .default({ flush_interval_ms: 50, on_error: 'serve' }),
});

export type Config = z.infer<typeof configSchema>;
export type ProviderConfig = z.infer<typeof providerSchema>;
export type KeyConfig = z.infer<typeof keySchema>;
export type TagBudgetConfig = z.infer<typeof tagBudgetSchema>;
export type PriceOverrideConfig = z.infer<typeof priceOverrideSchema>;

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
