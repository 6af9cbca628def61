import type { Config } from '../config/schema.js';
import { UsageError } from '../lib/errors.js';
import { BUILT_IN_PROVIDERS } from '../providers/registry.js';

/** The admin API families reconcile reads. */
export type AdminFamily = 'openai' | 'anthropic';

/** Where and how to read one provider's usage and cost reports. Holds the admin key: never print it. */
export interface AdminTarget {
  /** tokometer provider name (`--provider`), as stored with every call. */
  provider: string;
  family: AdminFamily;
  /** `OpenAI` or `Anthropic`, for messages. */
  label: string;
  /** The provider's configured base_url (or its built-in default). */
  baseUrl: string;
  key: string;
  /** Where the key came from, named in errors: the variable, or the config field. */
  keySource: string;
}

/** Environment variables holding the admin key of the built-in providers of these names. */
export const ADMIN_KEY_ENV: Readonly<Record<AdminFamily, string>> = { openai: 'OPENAI_ADMIN_KEY', anthropic: 'ANTHROPIC_ADMIN_KEY' };

const LABELS: Readonly<Record<AdminFamily, string>> = { openai: 'OpenAI', anthropic: 'Anthropic' };

/**
 * The admin target of `--provider NAME`: a provider of kind openai or anthropic, its
 * base URL, and its admin key from `providers.NAME.admin_key` (after `${ENV}`
 * interpolation), else OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY for the built-in provider of
 * that name. Throws UsageError (exit 2) naming what to set.
 */
export function resolveAdminTarget(config: Pick<Config, 'providers'>, provider: string, env: Readonly<Record<string, string | undefined>>): AdminTarget {
  const pc = config.providers[provider];
  const kind = pc?.kind ?? BUILT_IN_PROVIDERS[provider]?.family;
  if (kind !== 'openai' && kind !== 'anthropic') {
    const what = pc || BUILT_IN_PROVIDERS[provider] ? `is of kind ${kind ?? 'unknown'}, which has no usage and cost API that reconcile reads` : 'is not a configured or built-in provider';
    throw new UsageError(`--provider "${provider}" ${what}; use openai or anthropic (or a provider of kind openai or anthropic).`);
  }
  const baseUrl = pc?.base_url ?? BUILT_IN_PROVIDERS[provider]?.baseUrl;
  if (baseUrl === undefined) throw new UsageError(`provider "${provider}" has no base_url; set providers.${provider}.base_url in the config.`);
  const field = `providers.${provider}.admin_key`;
  const configured = pc?.admin_key;
  if (configured !== undefined && configured !== '') return { provider, family: kind, label: LABELS[kind], baseUrl, key: configured, keySource: field };
  const envName = provider === kind ? ADMIN_KEY_ENV[kind] : undefined;
  const fromEnv = envName === undefined ? undefined : env[envName];
  if (envName !== undefined && fromEnv !== undefined && fromEnv !== '') return { provider, family: kind, label: LABELS[kind], baseUrl, key: fromEnv, keySource: envName };
  const where = envName === undefined ? field : `${envName} (or ${field} in the config)`;
  throw new UsageError(`no admin key for ${provider}: set ${where} to an organization admin key with access to ${LABELS[kind]}'s usage and cost reports.`);
}
