import { UsageError } from '../lib/errors.js';

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

/** What the command found about `--provider NAME` in the config (plain values). */
export interface AdminProvider {
  provider: string;
  /** False when the name is neither configured nor built in. */
  known: boolean;
  /** Its admin API family; null for providers without one (other vendors of the openai family, gemini, …). */
  family: AdminFamily | null;
  baseUrl: string | undefined;
  /** `providers.NAME.admin_key` after `${ENV}` interpolation, if set. */
  configuredKey: string | undefined;
}

/** Environment variables holding the admin key of the built-in providers of these names. */
export const ADMIN_KEY_ENV: Readonly<Record<AdminFamily, string>> = { openai: 'OPENAI_ADMIN_KEY', anthropic: 'ANTHROPIC_ADMIN_KEY' };

const LABELS: Readonly<Record<AdminFamily, string>> = { openai: 'OpenAI', anthropic: 'Anthropic' };

/**
 * The admin target of `--provider NAME`: its admin key from `providers.NAME.admin_key`,
 * else OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY for the built-in provider of that name.
 * Throws UsageError (exit 2) naming what to set.
 */
export function resolveAdminTarget(p: AdminProvider, env: Readonly<Record<string, string | undefined>>): AdminTarget {
  const { provider, family } = p;
  if (!p.known) throw new UsageError(`--provider "${provider}" is not a configured or built-in provider; use openai or anthropic.`);
  if (family === null) {
    throw new UsageError(`--provider "${provider}" has no usage and cost API that reconcile reads; use openai or anthropic (or a provider configured with kind: openai or kind: anthropic).`);
  }
  if (p.baseUrl === undefined) throw new UsageError(`provider "${provider}" has no base_url; set providers.${provider}.base_url in the config.`);
  const target = (key: string, keySource: string): AdminTarget => ({ provider, family, label: LABELS[family], baseUrl: p.baseUrl!, key, keySource });
  const field = `providers.${provider}.admin_key`;
  if (p.configuredKey !== undefined && p.configuredKey !== '') return target(p.configuredKey, field);
  const envName = provider === family ? ADMIN_KEY_ENV[family] : undefined;
  const fromEnv = envName === undefined ? undefined : env[envName];
  if (envName !== undefined && fromEnv !== undefined && fromEnv !== '') return target(fromEnv, envName);
  const where = envName === undefined ? field : `${envName} (or ${field} in the config)`;
  throw new UsageError(`no admin key for ${provider}: set ${where} to an organization admin key with access to ${LABELS[family]}'s usage and cost reports.`);
}

/**
 * The admin target of several `--provider` names billed to one organization (its report
 * covers the traffic of all of them): the first name's (resolveAdminTarget), the others
 * checked to be known providers of the same admin API family and base URL, whose own
 * `admin_key`, when set, is the one used (another key is another organization: reconcile
 * that one on its own). Throws UsageError (exit 2).
 */
export function resolveSharedAdminTarget(ps: readonly AdminProvider[], env: Readonly<Record<string, string | undefined>>): AdminTarget {
  const target = resolveAdminTarget(ps[0]!, env);
  for (const p of ps.slice(1)) {
    const named = `--provider "${p.provider}"`;
    if (!p.known) throw new UsageError(`${named} is not a configured or built-in provider; use openai or anthropic.`);
    if (p.family !== target.family) {
      throw new UsageError(`${named} is not billed through ${target.label}'s usage and cost API like "${target.provider}": reconcile several providers together only when they bill one organization.`);
    }
    if (p.baseUrl !== target.baseUrl) {
      throw new UsageError(`${named} has base_url ${p.baseUrl ?? '(none)'}, "${target.provider}" ${target.baseUrl}: reconcile several providers together only when they bill one organization.`);
    }
    if (p.configuredKey !== undefined && p.configuredKey !== '' && p.configuredKey !== target.key) {
      throw new UsageError(`providers.${p.provider}.admin_key differs from the admin key of "${target.provider}" (${target.keySource}): another organization; reconcile it on its own.`);
    }
  }
  return target;
}
