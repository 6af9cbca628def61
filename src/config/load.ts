import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Document, LineCounter, type YAMLError, parseDocument } from 'yaml';
import { isPostgresUrl, type DbNamedBy } from '../lib/db-location.js';
import { ConfigError } from '../lib/errors.js';
import { semanticProblems } from './checks.js';
import { interpolateDocument } from './interpolate.js';
import { problemsFromIssues } from './issues.js';
import { restOfFile, semanticProblemsBeside } from './problems-beside.js';
import { type FieldPath, type Problem, type Source, formatPath, formatProblems, pathOfKeyAt } from './problems.js';
import { ALL_SECRETS, type SecretSelection, isUnusedSecret, withoutUnusedSecrets } from './secret-fields.js';
import { BUILTIN_PROVIDER_NAMES } from '../providers/builtins.js';
import { ADMIN_TOKEN_ENV, firstEnv, keyEnvOf } from './providers.js';
import { type Config, HEADER_CONTROL_CHAR_PROBLEM, type ProviderConfig, configSchema, holdsHeaderControlChar } from './schema.js';

export { ADMIN_TOKEN_ENV } from './providers.js';

/** Environment variables, as `process.env` gives them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Config file read when none is named, relative to the working directory. */
export const DEFAULT_CONFIG_FILE = 'tokometer.yaml';
/** Database used when neither --db, $TOKOMETER_DB nor the config's `db` names one. */
export const DEFAULT_DB_FILE = 'tokometer.db';
/** Environment variable naming the database file. */
export const DB_ENV = 'TOKOMETER_DB';

export interface LoadConfigOptions {
  /** `--config` value, relative to `cwd`; absent = `./tokometer.yaml` when present, else defaults. */
  path?: string | undefined;
  env: Env;
  cwd: string;
  /**
   * The secrets the command sends (secret-fields.ts); default every one. The others are
   * not interpolated nor taken from the environment, and are absent from the config.
   */
  secrets?: SecretSelection;
}

export interface LoadedConfig {
  /**
   * The validated config, with these guarantees beyond the schema:
   * - `providers` holds every built-in provider (first, in table order) plus the configured
   *   ones; `api_key` comes from the config, else the built-in provider's key environment
   *   variables (providers/builtins.ts), and is absent rather than ''. `kind` stays as
   *   written: `providerSettings` (providers.ts) resolves families.
   * - `admin.token` comes from the config, else TOKOMETER_ADMIN_TOKEN; absent rather than ''.
   * - A secret `secrets` leaves out is absent, whatever the file or the environment hold.
   * - `db`, `store.spill_path`, the `tls` files and a `prices.source` file (not a URL), when
   *   set, are absolute (resolved against the config file's folder).
   */
  config: Config;
  /** Absolute path of the file read, or null when running on defaults. */
  path: string | null;
  /**
   * A problem found after loading, with a field the file holds (a folder `store.spill_path`
   * names that cannot be used), in the words of the load's own problems:
   * `file:line:column: field.path: message` at the field's value (the file as the user named
   * it); `field.path: message` when running on defaults.
   */
  problemAt(field: FieldPath, message: string): string;
}

/**
 * Reads, interpolates and validates the config. Throws ConfigError (exit code 2) whose
 * message has one line per problem: `file:line:column: field.path: what is wrong`.
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const reading = readConfig(options);
  if (reading.problems.length > 0 || reading.loaded === null) throw new ConfigError(reading.format(reading.problems));
  return reading.loaded;
}

/** The config file read as far as it goes (readConfig), for `config check`. */
export interface ConfigReading {
  /**
   * What loadConfig returns when `problems` is empty; else the same for the rest of the file
   * (the entries the schema refused left out: problems-beside.ts restOfFile), or null when
   * nothing of it can be used, so that the checks of what serve does with the config (its
   * `db`, its `tls` files…) run beside the file's own problems.
   */
  loaded: LoadedConfig | null;
  /** The schema's problems and the checks across fields (checks.ts), in no order. */
  problems: readonly Problem[];
  /** These problems and any found later, one line each in file order, as loadConfig words them. */
  format(problems: readonly Problem[]): string;
}

/**
 * loadConfig without the throw for the problems of the schema and across fields: every one is
 * returned, with the config of the rest of the file. Throws ConfigError only when the file
 * cannot be read, is not YAML or names an unset variable (nothing more can be checked).
 */
export function readConfig(options: LoadConfigOptions): ConfigReading {
  const explicit = options.path !== undefined && options.path !== '';
  const secrets = options.secrets ?? ALL_SECRETS;
  const shown = explicit ? (options.path as string) : DEFAULT_CONFIG_FILE;
  const file = path.resolve(options.cwd, shown);
  if (!explicit && !existsSync(file)) {
    const problemAt = (field: FieldPath, message: string) => `${formatPath(field)}: ${message}`;
    const loaded = { config: finishConfig(configSchema.parse({}), options.env, options.cwd, secrets), path: null, problemAt };
    return { loaded, problems: [], format: (problems) => problems.map((p) => problemAt(p.path, p.message)).join('\n') };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`config file not found: ${shown}`);
    if (code === 'EISDIR') throw new ConfigError(`config file ${shown} is a directory`);
    throw new ConfigError(`cannot read config file ${shown}: ${(e as Error).message}`);
  }
  const { config, src, problems } = readConfigSource(text, { file: shown, env: options.env, secrets });
  const format = (all: readonly Problem[]) => formatProblems(all, src);
  const problemAt = (field: FieldPath, message: string) => format([{ path: field, message }]);
  if (config === null) return { loaded: null, problems, format };
  try {
    return { loaded: { config: finishConfig(config, options.env, path.dirname(file), secrets), path: file, problemAt }, problems, format };
  } catch (error) {
    // A secret from the environment serve cannot send: the file's own problems come first.
    if (error instanceof ConfigError && problems.length > 0) return { loaded: null, problems, format };
    throw error;
  }
}

/**
 * Parses config text as far as the schema and cross-field checks go (no env fallbacks,
 * `db` left as written). `file` is only used in messages. Throws ConfigError.
 */
export function parseConfigText(text: string, options: { file: string; env: Env }): Config {
  const { config, src, problems } = readConfigSource(text, options);
  if (problems.length > 0 || config === null) throw new ConfigError(formatProblems(problems, src));
  return config;
}

/**
 * Config text read as far as the schema and the checks across fields go: every problem of
 * theirs, and the config (of the rest of the file when there are problems; null when none can
 * be made). Throws ConfigError for YAML and interpolation problems (nothing further can be read).
 */
function readConfigSource(text: string, options: { file: string; env: Env; secrets?: SecretSelection }): { config: Config | null; src: Source; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const src: Source = { file: options.file, text, doc, lineCounter };
  const fail = (problems: Problem[]): never => {
    throw new ConfigError(formatProblems(problems, src));
  };

  if (doc.errors.length > 0) fail(doc.errors.map((e) => yamlProblem(e, doc)));
  const secrets = options.secrets ?? ALL_SECRETS;
  const unresolved = interpolateDocument(doc, options.env, (field) => isUnusedSecret(field, secrets));
  if (unresolved.length > 0) fail(unresolved);

  let data: unknown;
  try {
    data = withoutUnusedSecrets(doc.toJS({ maxAliasCount: 1000 }), secrets);
  } catch (e) {
    fail([{ path: [], message: `invalid YAML: ${(e as Error).message}` }]);
  }
  const parsed = configSchema.safeParse(data ?? {}, { reportInput: true });
  // With the checks across fields on the rest of the file: every problem of the file at once.
  if (!parsed.success) {
    const rest = restOfFile(data ?? {}, parsed.error.issues);
    const problems = [...problemsFromIssues(parsed.error.issues, configSchema), ...semanticProblemsBeside(data, parsed.error.issues, rest)];
    return { config: rest?.config ?? null, src, problems };
  }
  return { config: parsed.data, src, problems: semanticProblems(parsed.data) };
}

/**
 * The database to open and what named it, for messages about it: `--db` flag, else
 * $TOKOMETER_DB, else the config's `db`, else `./tokometer.db` (`namedBy` null for the last
 * two). `path` is absolute (or `:memory:`, or a `postgres://` URL as written): relative
 * flag and env values are resolved against `cwd`; so is a relative config `db` (loadConfig
 * already made it absolute against the config file's folder).
 */
export function resolveDb(options: { flag?: string | undefined; env: Env; config?: Pick<Config, 'db'> | undefined; cwd: string }): { path: string; namedBy: DbNamedBy } {
  const flag = nonEmpty(options.flag);
  const fromEnv = nonEmpty(options.env[DB_ENV]);
  const [chosen, namedBy]: [string, DbNamedBy] =
    flag !== undefined ? [flag, '--db'] : fromEnv !== undefined ? [fromEnv, '$TOKOMETER_DB'] : [nonEmpty(options.config?.db) ?? DEFAULT_DB_FILE, null];
  return { path: chosen === ':memory:' || isPostgresUrl(chosen) ? chosen : path.resolve(options.cwd, chosen), namedBy };
}

/** resolveDb's path alone. */
export function resolveDbPath(options: Parameters<typeof resolveDb>[0]): string {
  return resolveDb(options).path;
}

/** Applies env fallbacks and path resolution (see LoadedConfig for the guarantees). */
function finishConfig(config: Config, env: Env, configDir: string, secrets: SecretSelection): Config {
  const providers: Record<string, ProviderConfig> = {};
  for (const name of BUILTIN_PROVIDER_NAMES) providers[name] = {};
  Object.assign(providers, config.providers);
  const apiKeysUsed = !isUnusedSecret(['providers', '', 'api_key'], secrets);
  for (const [name, provider] of Object.entries(providers)) {
    const { api_key: configured, ...rest } = provider;
    const fromConfig = nonEmpty(configured?.trim());
    const apiKey = apiKeysUsed ? (fromConfig ?? firstEnv(env, keyEnvOf(name))?.trim()) : undefined;
    if (apiKey) assertHeaderSafe(apiKey, fromConfig ? `providers.${name}.api_key` : `providers.${name}.api_key (from ${keyEnvOf(name).find((n) => env[n]) ?? 'its environment variable'})`);
    providers[name] = { ...rest, ...(apiKey ? { api_key: apiKey } : {}) };
  }
  const tokenUsed = !isUnusedSecret(['admin', 'token'], secrets);
  const token = tokenUsed ? (nonEmpty(config.admin.token?.trim()) ?? nonEmpty(env[ADMIN_TOKEN_ENV]?.trim())) : undefined;
  if (token) assertHeaderSafe(token, config.admin.token?.trim() ? 'admin.token' : `admin.token (from ${ADMIN_TOKEN_ENV})`);
  const db = config.db && config.db !== ':memory:' && !isPostgresUrl(config.db) ? path.resolve(configDir, config.db) : config.db;
  const spillPath = config.store.spill_path === undefined ? undefined : path.resolve(configDir, config.store.spill_path);
  const source = config.price_updates.source;
  const priceSource = source === null || /^https?:\/\//i.test(source) ? source : path.resolve(configDir, source);
  return {
    ...config,
    price_updates: { ...config.price_updates, source: priceSource },
    providers,
    admin: token ? { ...config.admin, token } : {},
    ...(db ? { db } : {}),
    ...(spillPath ? { store: { ...config.store, spill_path: spillPath } } : {}),
    ...(config.tls ? { tls: { cert: path.resolve(configDir, config.tls.cert), key: path.resolve(configDir, config.tls.key) } } : {}),
  };
}

function yamlProblem(error: YAMLError, doc: Document): Problem {
  const offset = error.pos[0];
  if (error.code === 'DUPLICATE_KEY') {
    return { path: pathOfKeyAt(doc, offset) ?? [], offset, message: 'duplicate key (each key may appear once in a mapping)' };
  }
  return { path: [], offset, message: `invalid YAML: ${error.message}` };
}

/**
 * A secret that goes into a header (a provider API key, the admin token) was read with
 * its surrounding whitespace removed (a secret file's line end); one still holding a
 * control character cannot be sent, so the config is refused, naming the field, never
 * the value.
 */
function assertHeaderSafe(secret: string, field: string): void {
  if (holdsHeaderControlChar(secret)) throw new ConfigError(`${field}: the key ${HEADER_CONTROL_CHAR_PROBLEM}. Check the secret's value.`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
