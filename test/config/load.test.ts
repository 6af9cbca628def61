import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, resolveDbPath } from '../../src/config/load.js';
import { providerSettings } from '../../src/config/providers.js';
import { BUILTIN_PROVIDER_NAMES } from '../../src/providers/builtins.js';
import { ConfigError } from '../../src/lib/errors.js';
import { configDir, loadYaml as load } from './config-files.js';
import { thrownBy } from './thrown.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The ConfigError message `text` produces (a ConfigError exits with code 2). */
function errorOf(text: string, env: Record<string, string | undefined> = {}): string {
  const error = thrownBy(() => load(text, env), ConfigError);
  expect(error.exitCode).toBe(2);
  return error.message;
}

describe('loadConfig without a file', () => {
  it('runs on defaults', () => {
    const { config, path: file } = loadConfig({ env: {}, cwd: configDir() });
    expect(file).toBeNull();
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(config.timezone).toBe('UTC');
    expect(config.tags.on_invalid).toBe('reject');
    expect(config.budgets).toEqual([]);
    expect(config.db).toBeUndefined();
    expect(config.admin.token).toBeUndefined();
    expect(Object.keys(config.providers)).toEqual(BUILTIN_PROVIDER_NAMES);
    expect(config.providers.openai).toEqual({});
    expect(providerSettings(config.providers).openai).toEqual({ family: 'openai' });
    expect(providerSettings(config.providers).groq).toEqual({ family: 'openai' });
    expect(providerSettings(config.providers).gemini).toEqual({ family: 'gemini' });
  });

  it('takes provider keys and the admin token from the environment', () => {
    const env = { OPENAI_API_KEY: 'sk-openai', GOOGLE_API_KEY: 'g-key', CO_API_KEY: 'co-key', ANTHROPIC_API_KEY: '', TOKOMETER_ADMIN_TOKEN: 'adm' };
    const { config } = loadConfig({ env, cwd: configDir() });
    expect(config.providers.openai?.api_key).toBe('sk-openai');
    expect(config.providers.gemini?.api_key).toBe('g-key');
    expect(config.providers.cohere?.api_key).toBe('co-key');
    expect(config.providers.anthropic?.api_key).toBeUndefined();
    expect(config.admin.token).toBe('adm');
  });

  it('prefers GEMINI_API_KEY over GOOGLE_API_KEY, and config keys over env', () => {
    const { config } = load('providers:\n  openai: { api_key: from-config }\n  mistral: { api_key: "" }\n', {
      GEMINI_API_KEY: 'gem',
      GOOGLE_API_KEY: 'goo',
      OPENAI_API_KEY: 'from-env',
      MISTRAL_API_KEY: 'mis',
    });
    expect(config.providers.gemini?.api_key).toBe('gem');
    expect(config.providers.openai?.api_key).toBe('from-config');
    expect(config.providers.mistral?.api_key).toBe('mis');
  });

  it('reads ./tokometer.yaml from cwd when present', () => {
    const cwd = configDir({ 'tokometer.yaml': 'listen: { port: 9000 }\n' });
    const loaded = loadConfig({ env: {}, cwd });
    expect(loaded.path).toBe(path.join(cwd, 'tokometer.yaml'));
    expect(loaded.config.listen).toEqual({ host: '127.0.0.1', port: 9000 });
  });

  it('treats an empty or comment-only file as defaults', () => {
    expect(load('# nothing yet\n').config.listen.port).toBe(8787);
    expect(load('').config.timezone).toBe('UTC');
  });

  it('fails naming a --config file that does not exist', () => {
    expect(() => loadConfig({ path: 'conf/missing.yaml', env: {}, cwd: configDir() })).toThrow(new ConfigError('config file not found: conf/missing.yaml'));
  });

  it('names a --config file as given in every message', () => {
    const cwd = configDir({ 'conf/prod.yaml': 'listen:\n  port: "80"\n' });
    expect(() => loadConfig({ path: 'conf/prod.yaml', env: {}, cwd })).toThrow('conf/prod.yaml:2:9: listen.port: must be a number, not the string "80"');
  });
});

describe('config.example.yaml', () => {
  it('passes loadConfig with an empty environment', () => {
    const { config } = loadConfig({ path: 'config.example.yaml', env: {}, cwd: repoRoot });
    expect(config.db).toBe(path.join(repoRoot, 'tokometer.db'));
    expect(config.keys.summarizer?.budget).toEqual({ limit_usd: 500, period: 'month', alert_at: [0.5, 0.8, 1], soft: false });
    expect(config.budgets[0]?.per).toBe('user_id');
    expect(config.providers['azure-eu']).toEqual({ kind: 'openai-compatible', base_url: 'https://example.invalid/v1' });
    expect(config.admin.token).toBeUndefined();
  });

  it('takes the referenced variables when set', () => {
    const env = { AZURE_KEY: 'az', TOKOMETER_ADMIN_TOKEN: 'tok', OPENAI_API_KEY: 'sk' };
    const { config } = loadConfig({ path: path.join(repoRoot, 'config.example.yaml'), env, cwd: configDir() });
    expect(config.providers['azure-eu']?.api_key).toBe('az');
    expect(config.providers.openai?.api_key).toBe('sk');
    expect(config.admin.token).toBe('tok');
  });
});

describe('${ENV} interpolation', () => {
  it('substitutes variables, defaults and the $${ escape', () => {
    const yaml = [
      'admin: { token: "${TOKEN}" }',
      'alerts: { webhook_url: "https://${HOOK_HOST:-hooks.example.invalid}/t" }',
      'providers:',
      '  custom: { base_url: "https://x.invalid/v1", api_key: "${EMPTY:-fallback}" }',
      'keys:',
      '  k: { tags: { note: "cost $${not_a_var}" } }',
    ].join('\n');
    const { config } = load(yaml, { TOKEN: 'secret', EMPTY: '' });
    expect(config.admin.token).toBe('secret');
    expect(config.alerts.webhook_url).toBe('https://hooks.example.invalid/t');
    expect(config.providers.custom?.api_key).toBe('fallback');
    expect(config.keys.k?.tags).toEqual({ note: 'cost ${not_a_var}' });
  });

  it('re-reads an unquoted whole reference as a number, but keeps quoted ones as strings', () => {
    expect(load('listen:\n  port: ${PORT:-9090}\n').config.listen.port).toBe(9090);
    expect(load('listen:\n  port: ${PORT}\n', { PORT: '7000' }).config.listen.port).toBe(7000);
    expect(errorOf('listen:\n  port: "${PORT:-9090}"\n')).toBe('tokometer.yaml:2:9: listen.port: must be a number, not the string "9090"');
  });

  it('names the unset variable, the file, line, column and field', () => {
    const message = errorOf('providers:\n  azure-eu:\n    base_url: "https://x.invalid"\n    api_key: "${AZURE_KEY}"\n');
    expect(message).toBe('tokometer.yaml:4:14: providers.azure-eu.api_key: environment variable AZURE_KEY is not set (write ${AZURE_KEY:-} to allow it to be empty)');
  });

  it('rejects malformed references', () => {
    expect(errorOf('admin: { token: "${1BAD}" }\n')).toContain('tokometer.yaml:1:17: admin.token: invalid reference ${1BAD}');
    expect(errorOf('admin: { token: "${OPEN" }\n')).toContain('tokometer.yaml:1:17: admin.token: unterminated ${');
  });
});

describe('errors name file:line:column and the field', () => {
  it('number bounds and type mismatches say what the field must be and what it got, in words', () => {
    expect(errorOf('listen:\n  port: 70000\n')).toBe('tokometer.yaml:2:9: listen.port: must be at most 65535 (got 70000)');
    expect(errorOf('listen:\n  port: -1\n')).toBe('tokometer.yaml:2:9: listen.port: must be 0 or more (got -1)');
    expect(errorOf('listen:\n  port: 80.5\n')).toBe('tokometer.yaml:2:9: listen.port: must be a whole number (got 80.5)');
    expect(errorOf('keys:\n  k:\n    budget: { limit_usd: -1 }\n')).toBe('tokometer.yaml:3:26: keys.k.budget.limit_usd: must be 0 or more (got -1)');
    expect(errorOf('keys:\n  k:\n    budget: { limit_usd: 5, alert_at: [0, 0.5] }\n')).toBe('tokometer.yaml:3:40: keys.k.budget.alert_at[0]: must be more than 0 (got 0)');
    expect(errorOf('limits:\n  max_body_bytes: true\n')).toBe('tokometer.yaml:2:19: limits.max_body_bytes: must be a number, not true');
    expect(errorOf('keys:\n  k:\n    models: gpt-4o\n')).toBe('tokometer.yaml:3:13: keys.k.models: must be a list, not the string "gpt-4o"');
    expect(errorOf('listen: 8787\n')).toBe('tokometer.yaml:1:9: listen: must be a mapping, not the number 8787');
    expect(errorOf('db: ""\n')).toBe('tokometer.yaml:1:5: db: must not be empty');
    expect(errorOf('budgets:\n  - { name: "", limit_usd: 1 }\n')).toBe('tokometer.yaml:2:13: budgets[0].name: must not be empty');
    expect(errorOf('keys:\n  k:\n    tags: { a: [1] }\n')).toBe('tokometer.yaml:3:16: keys.k.tags.a: must be a string, a number or a boolean, not a list');
  });

  it('keeps a field\'s own message for a bound it explains', () => {
    expect(errorOf('budget_admission_wait_ms: 4000000\n')).toBe('tokometer.yaml:1:27: budget_admission_wait_ms: at most 3600000 (one hour); clients give up long before');
  });

  it('wrong type', () => {
    const yaml = 'keys:\n  summarizer:\n    budget:\n      limit_usd: "500"\n';
    expect(errorOf(yaml)).toBe('tokometer.yaml:4:18: keys.summarizer.budget.limit_usd: must be a number, not the string "500"');
  });

  it('missing required field points at the parent key', () => {
    expect(errorOf('keys:\n  summarizer:\n    budget:\n      period: day\n')).toBe(
      'tokometer.yaml:3:5: keys.summarizer.budget.limit_usd: required field missing (expected a number)',
    );
  });

  it('unknown key (strict objects), with a suggestion', () => {
    expect(errorOf('listen:\n  port: 8787\n  hots: 0.0.0.0\n')).toBe(
      'tokometer.yaml:3:3: listen.hots: unknown key "hots"; did you mean "host"? (allowed: host, port)',
    );
    expect(errorOf('verbose: true\n')).toMatch(/^tokometer\.yaml:1:1: verbose: unknown key "verbose" \(allowed: listen, db, timezone/);
  });

  it('bad period enum', () => {
    expect(errorOf('budgets:\n  - name: daily\n    limit_usd: 1\n    period: weekly\n')).toBe(
      'tokometer.yaml:4:13: budgets[0].period: expected one of "day", "week", "month", "total", got "weekly"',
    );
  });

  it('YAML syntax error', () => {
    expect(errorOf('listen:\n  port: [8787\nkeys: {}\n')).toMatch(/^tokometer\.yaml:\d+:\d+: invalid YAML: /);
    expect(errorOf('db: a.db\nkeys:\n  k: {}\n  k: {}\n')).toBe('tokometer.yaml:4:3: keys.k: duplicate key (each key may appear once in a mapping)');
  });

  it('listen.host must be a hostname or an IP address', () => {
    expect(errorOf('listen:\n  host: "not a host!!"\n')).toBe(
      'tokometer.yaml:2:9: listen.host: "not a host!!" is not a hostname or IP address (e.g. 127.0.0.1, 0.0.0.0, ::1, localhost)',
    );
    for (const host of ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', 'proxy.internal', 'my-host-1.example.com.']) {
      expect(load(`listen:\n  host: "${host}"\n`).config.listen.host).toBe(host);
    }
    for (const host of ['-bad.example', 'a..b', '[::1]', 'http://x', '300.1.1.1']) expect(errorOf(`listen:\n  host: "${host}"\n`)).toContain('listen.host: ');
  });

  it('bad timezone', () => {
    expect(errorOf('db: x.db\ntimezone: Mars/Olympus_Mons\n')).toBe(
      'tokometer.yaml:2:11: timezone: not a valid IANA time zone (e.g. UTC, Europe/Berlin)',
    );
  });

  it('an empty value points at its key', () => {
    expect(errorOf('keys:\n  k:\n    budget:\n')).toBe('tokometer.yaml:3:5: keys.k.budget: must be a mapping, not empty');
  });

  it('a non-mapping top level', () => {
    expect(errorOf('- listen\n')).toBe('tokometer.yaml:1:1: the top level must be a mapping of sections (listen:, providers:, keys:, ...), not a list');
  });

  it('invalid tag keys and oversized tag values in config', () => {
    expect(errorOf('keys:\n  k:\n    tags: { "user tier": free }\n')).toBe(
      'tokometer.yaml:3:13: keys.k.tags["user tier"]: invalid tag key (allowed: letters, digits, _ . : -, 1-64 chars)',
    );
    expect(errorOf(`keys:\n  k:\n    tags: { a: ${'x'.repeat(257)} }\n`)).toBe('tokometer.yaml:3:16: keys.k.tags.a: tag value longer than 256 characters');
    expect(errorOf('keys:\n  k:\n    tags: { feature: "sum\\e]52;c;eA==\\a" }\n')).toBe(
      'tokometer.yaml:3:22: keys.k.tags.feature: tag value has a control character (U+001B at position 3); control characters (U+0000-U+001F, U+007F-U+009F) are not allowed',
    );
    expect(errorOf('budgets:\n  - { name: b, match: { tier: "a\\nb" }, limit_usd: 1 }\n')).toContain('budgets[0].match.tier: tag value has a control character (U+000A at position 1)');
  });

  it('keeps a key tag or budget match named __proto__ (a valid tag key, SPEC §4) as data, and checks its value', () => {
    const { config } = load('keys:\n  k:\n    tags: { __proto__: t_1, feature: x }\nbudgets:\n  - { name: b, match: { __proto__: t_1 }, limit_usd: 1 }\n');
    expect(Object.entries(config.keys.k?.tags ?? {})).toEqual([['__proto__', 't_1'], ['feature', 'x']]);
    expect(Object.entries(config.budgets[0]?.match ?? {})).toEqual([['__proto__', 't_1']]);
    expect(Object.getPrototypeOf(config.keys.k?.tags)).toBe(Object.prototype);
    expect(errorOf(`keys:\n  k:\n    tags: { __proto__: ${'x'.repeat(257)} }\n`)).toContain('keys.k.tags.__proto__: tag value longer than 256 characters');
  });

  it('lists every problem, in source order', () => {
    const message = errorOf('listen: { port: "x" }\ntimezone: Nowhere\nretention_days: -1\n');
    expect(message.split('\n')).toEqual([
      'tokometer.yaml:1:17: listen.port: must be a number, not the string "x"',
      'tokometer.yaml:2:11: timezone: not a valid IANA time zone (e.g. UTC, Europe/Berlin)',
      'tokometer.yaml:3:17: retention_days: must be more than 0 (got -1)',
    ]);
  });
});

describe('semantic checks', () => {
  it('an openai-compatible provider needs a base_url', () => {
    expect(errorOf('providers:\n  azure-eu: { kind: openai-compatible, api_key: k }\n')).toBe(
      'tokometer.yaml:2:3: providers.azure-eu.base_url: required: "azure-eu" is not a built-in provider, so an openai-compatible provider needs a base_url',
    );
    expect(load('providers:\n  groq: { kind: openai-compatible }\n').config.providers.groq?.kind).toBe('openai-compatible');
  });

  it('a built-in provider given another family needs a base_url; its own family under either word does not', () => {
    expect(errorOf('providers:\n  groq: { kind: anthropic }\n')).toBe(
      'tokometer.yaml:2:3: providers.groq.base_url: required: kind anthropic differs from the built-in "groq" (openai), so it needs a base_url',
    );
    const { config } = load('providers:\n  groq: { kind: openai }\n  openai: { kind: openai-compatible }\n  mistral: { kind: mistral }\n');
    expect(providerSettings(config.providers)).toMatchObject({ groq: { family: 'openai' }, openai: { family: 'openai' }, mistral: { family: 'mistral' } });
  });

  it('families: kind as written, else the built-in one, else openai (openai-compatible is the openai family)', () => {
    const { config } = load(
      'providers:\n  local: { base_url: "https://l.invalid" }\n  eu: { kind: anthropic, base_url: "https://a.invalid" }\n  az: { kind: openai-compatible, base_url: "https://z.invalid" }\n',
    );
    const settings = providerSettings(config.providers);
    expect(settings.local).toEqual({ family: 'openai', baseUrl: 'https://l.invalid' });
    expect(settings.eu).toEqual({ family: 'anthropic', baseUrl: 'https://a.invalid' });
    expect(settings.az).toEqual({ family: 'openai', baseUrl: 'https://z.invalid' });
    expect(settings.cohere).toEqual({ family: 'cohere' });
  });

  it('provider names must be usable in /proxy/<name>/', () => {
    expect(errorOf('providers:\n  Azure EU: { base_url: "https://x.invalid" }\n')).toMatch(/^tokometer\.yaml:2:3: providers\["Azure EU"\]: invalid provider name/);
  });

  it.each<[rule: string, yaml: string, lines: string[]]>([
    ['a budget per key must be a valid tag key', 'budgets:\n  - { name: b, per: "user id", limit_usd: 1 }\n', ['tokometer.yaml:2:21: budgets[0].per: invalid tag key (allowed: letters, digits, _ . : -, 1-64 chars)']],
    ['alert_at must be ascending', 'keys:\n  k:\n    budget: { limit_usd: 5, alert_at: [1, 0.5] }\n', ['tokometer.yaml:3:39: keys.k.budget.alert_at: must be in strictly ascending order, e.g. [0.5, 0.8, 1]']],
    [
      'budget names are unique, also against budgeted keys',
      'keys:\n  acme: { budget: { limit_usd: 5 } }\nbudgets:\n  - { name: daily, limit_usd: 1 }\n  - { name: daily, limit_usd: 2 }\n  - { name: acme, limit_usd: 3 }\n',
      ['tokometer.yaml:5:13: budgets[1].name: duplicate budget name "daily" (also budgets[0])', 'tokometer.yaml:6:13: budgets[2].name: budget name "acme" is already used by the budget of keys.acme'],
    ],
    ['key allow-lists name existing providers', 'keys:\n  k: { providers: [openai, opena] }\n', ['tokometer.yaml:2:28: keys.k.providers[1]: unknown provider "opena" (not built in and not under providers:)']],
  ])('%s', (_rule, yaml, lines) => {
    expect(errorOf(yaml).split('\n')).toEqual(lines);
  });
});

describe('resolveDbPath', () => {
  const cwd = '/work/app';
  it('prefers --db, then $TOKOMETER_DB, then config db, then ./tokometer.db', () => {
    const config = { db: '/etc/tokometer/data.db' };
    const env = { TOKOMETER_DB: 'env.db' };
    expect(resolveDbPath({ flag: 'flag.db', env, config, cwd })).toBe('/work/app/flag.db');
    expect(resolveDbPath({ env, config, cwd })).toBe('/work/app/env.db');
    expect(resolveDbPath({ env: {}, config, cwd })).toBe('/etc/tokometer/data.db');
    expect(resolveDbPath({ env: { TOKOMETER_DB: '' }, config: {}, cwd })).toBe('/work/app/tokometer.db');
    expect(resolveDbPath({ flag: ':memory:', env, config, cwd })).toBe(':memory:');
  });

  it('resolves a config db relative to the config file folder', () => {
    const cwd = configDir({ 'conf/tokometer.yaml': 'db: ../data/t.db\n' });
    const { config } = loadConfig({ path: 'conf/tokometer.yaml', env: {}, cwd });
    expect(config.db).toBe(path.join(cwd, 'data', 't.db'));
    expect(resolveDbPath({ env: {}, config, cwd: '/elsewhere' })).toBe(path.join(cwd, 'data', 't.db'));
  });

  it('leaves a PostgreSQL URL as written (flag, $TOKOMETER_DB and config db); the spill path is resolved like a file', () => {
    const url = 'postgresql://app:secret@db.internal:5432/tokometer?sslmode=require';
    expect(resolveDbPath({ flag: url, env: {}, config: {}, cwd })).toBe(url);
    expect(resolveDbPath({ env: { TOKOMETER_DB: 'postgres://db/x' }, config: {}, cwd })).toBe('postgres://db/x');
    const dir = configDir({ 'tokometer.yaml': `db: ${url}\nstore: { spill_path: spill/a.spill }\n` });
    const { config } = loadConfig({ path: 'tokometer.yaml', env: {}, cwd: dir });
    expect(config.db).toBe(url);
    expect(config.store.spill_path).toBe(path.join(dir, 'spill', 'a.spill'));
    expect(resolveDbPath({ env: {}, config, cwd: '/elsewhere' })).toBe(url);
  });
});

describe("LoadedConfig.problemAt: a problem found after loading, located as the load's own problems are", () => {
  it('names the file, line and column of the field, then the field', () => {
    const dir = configDir({ 'conf/tokometer.yaml': 'listen:\n  port: 8787\nstore:\n  spill_path: ./nodir/a.spill\n' });
    const loaded = loadConfig({ path: 'conf/tokometer.yaml', env: {}, cwd: dir });
    expect(loaded.problemAt(['store', 'spill_path'], 'the folder is missing')).toBe('conf/tokometer.yaml:4:15: store.spill_path: the folder is missing');
  });

  it('names only the field when there is no config file', () => {
    const loaded = loadConfig({ env: {}, cwd: configDir() });
    expect(loaded.problemAt(['store', 'spill_path'], 'the folder is missing')).toBe('store.spill_path: the folder is missing');
  });
});
