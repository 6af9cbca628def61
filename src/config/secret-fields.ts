import type { FieldPath } from './problems.js';

/**
 * The config's secrets, and which of them a command resolves. `serve` sends every one
 * (provider API keys upstream, the admin token it checks, the alerts webhook URL, the
 * OpenTelemetry export headers) and `config check` checks every one; the other commands
 * send none, or one or two (`tui --url` the admin token, `reconcile` the admin key of
 * the provider it reads). A secret a command does not use is neither interpolated (its
 * `${VAR}` may be unset on an analyst's machine) nor read from the environment, and is
 * left out of its config: never a placeholder that could be sent somewhere.
 *
 * Secret fields: `providers.NAME.api_key`, `providers.NAME.admin_key`, `admin.token`,
 * `alerts.webhook_url` (a webhook URL carries its credential) and `telemetry.headers`.
 */
export interface SecretsUsed {
  /** `admin.token` (else TOKOMETER_ADMIN_TOKEN). */
  adminToken?: boolean;
  /** Providers whose `admin_key` is resolved. */
  adminKeysOf?: readonly string[];
}

/** Every secret resolved (`serve`, `config check`, the demo): loadConfig's default. */
export const ALL_SECRETS = 'all';

/** What a load resolves: every secret, or only those named. */
export type SecretSelection = typeof ALL_SECRETS | SecretsUsed;

/** True when `path` is (or lies inside) a secret field: problems with it never show its value (issues.ts). */
export function isSecretField(path: FieldPath): boolean {
  return isUnusedSecret(path, {});
}

/** True when `path` is (or lies inside) a secret field that `used` leaves unresolved. */
export function isUnusedSecret(path: FieldPath, used: SecretSelection): boolean {
  if (used === ALL_SECRETS) return false;
  const [section, name, field] = path;
  if (section === 'providers' && path.length === 3 && typeof name === 'string') {
    return field === 'api_key' || (field === 'admin_key' && !(used.adminKeysOf ?? []).includes(name));
  }
  if (section === 'admin') return name === 'token' && used.adminToken !== true;
  if (section === 'alerts') return name === 'webhook_url';
  return section === 'telemetry' && name === 'headers';
}

/**
 * `data` (the config document as plain values, before validation) without the secret fields
 * `used` leaves unresolved; the rest shared, not copied. Shapes the schema will refuse are
 * left as they are.
 */
export function withoutUnusedSecrets(data: unknown, used: SecretSelection): unknown {
  if (used === ALL_SECRETS || !isRecord(data)) return data;
  const out: Record<string, unknown> = { ...data };
  if (isRecord(data.providers)) {
    const providers: Record<string, unknown> = {};
    for (const [name, provider] of Object.entries(data.providers)) {
      providers[name] = isRecord(provider) ? omit(provider, (field) => isUnusedSecret(['providers', name, field], used)) : provider;
    }
    out.providers = providers;
  }
  for (const section of ['admin', 'alerts', 'telemetry']) {
    const value = data[section];
    if (isRecord(value)) out[section] = omit(value, (field) => isUnusedSecret([section, field], used));
  }
  return out;
}

function omit(record: Record<string, unknown>, drop: (field: string) => boolean): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([field]) => !drop(field)));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
