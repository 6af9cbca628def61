import type { Command } from 'commander';
import { UsageError } from '../lib/errors.js';
import { KEY_NAME_RE, createKeyAudited, enforcedJson, keyJson, revokeKeyAudited, updateKeyAudited } from '../admin/key-ops.js';
import { formatUsd } from '../lib/money.js';
import { connectHost } from '../lib/host.js';
import { keyDeclarations } from '../config/keys.js';
import type { Config } from '../config/schema.js';
import { DECLARABLE, declarationOf, effectiveKey, fromConfig, type KeyDeclaration } from '../keys/effective.js';
import type { KeyBudget, KeyEvent, KeyPatch, KeyRecord } from '../store/types.js';
import { paint, renderGrid, type Paint } from '../report/format/text.js';
import { configFor, dbPathFor, dbToReadFor, openStoreFor, type CliContext } from './context.js';
import { DEFAULT_INVOCATION } from './invocation.js';
import { keySpend, keySpendJson, keySpendText, type KeySpend } from './key-spend.js';
import { noActiveKeyError } from './unknown-key.js';
import { PERIODS, allowListNames, checkedProviders, parseBudget, parseTagFlags, type KeyFlags } from './key-flags.js';
import { collect, storeFlags, wantsColor } from './store-command.js';
import { configDriftNote } from './serve-config-record.js';
import { declaredFingerprint } from '../config/drift.js';

/**
 * `tokometer keys create|list|revoke|set|history`: metering keys, shown once, stored as
 * SHA-256 only. Every change is written with its audit trail entry (actor 'cli'); a running
 * proxy on the same database notices it and applies it within about a second
 * (proxy/auth.ts KEY_WATCH_MS). Lists open the database read-only; changes create it.
 */
export function registerKeysCommand(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description('create, list, revoke and change metering keys');
  const dbFlags = (cmd: Command) => storeFlags(cmd, 'database file');
  const withKeyFlags = (cmd: Command) =>
    cmd
      .option('--budget <usd>', 'spend cap in USD per period ("none" removes it)')
      .option('--period <period>', `budget period: ${PERIODS.join(', ')}`)
      .option('--alert-at <fractions>', 'comma-separated alert thresholds, increasing, e.g. 0.5,0.8,1')
      .option('--soft', 'alert only, never block')
      // Declared after --soft, --no-soft leaves the default undefined (commander 14 README,
      // "negatable boolean"): absent = keep the stored setting.
      .option('--no-soft', 'block at the cap (the default; undoes --soft)')
      .option('--tag <k=v>', 'fixed tag every call of this key carries (repeatable)', collect)
      .option('--provider <name>', 'allow only this provider (repeatable)', collect)
      .option('--model <name>', 'allow only this model (repeatable)', collect);

  withKeyFlags(dbFlags(keys.command('create <name>').description('create a key and print its secret once')))
    .option('--json', 'print the key as keys list --json does, with its secret (for scripts)')
    .action(async (name: string, flags: KeyFlags & { json?: boolean }) => {
    if (!KEY_NAME_RE.test(name)) throw new UsageError(`invalid key name '${name}': use letters, digits, _ . : - (1-64 characters)`);
    const config = configFor(ctx, flags.config);
    // Every flag is checked before the store is opened: opening creates and migrates the database, which a refused command must not leave behind.
    const input = { name, tags: parseTagFlags(flags.tag), providers: checkedProviders(flags.provider, config), models: allowListNames('--model', flags.model), budget: parseBudget(flags, null) };
    const store = await openStoreFor(ctx, dbPathFor(ctx, config, flags.db), 'create');
    try {
      const existing = await store.keys.byName(name);
      if (existing) throw new UsageError(existing.revokedAt === null ? `a key named '${name}' already exists (pick another name, or change it with \`keys set ${name}\`)` : `a key named '${name}' was revoked; revoked keys keep their name (their calls stay in reports under it): pick another name`);
      const { key, secret } = await createKeyAudited(store, input, 'cli', ctx.clock());
      const declared = declarationOf(keyDeclarations(config.keys), name);
      if (flags.json) {
        ctx.out(JSON.stringify({ ...keyJson(key), secret, enforced: enforcedJson(key, declared) }, null, 2) + '\n');
        return;
      }
      ctx.out(`Created key '${key.name}'. This is the only time the secret is shown:\n\n  ${secret}\n\n`);
      ctx.out(`Use it as the API key of your SDK, with its base URL pointing at the proxy, e.g.\n  OPENAI_BASE_URL=${proxyUrl(config)}/proxy/openai OPENAI_API_KEY=${secret}\n`);
      if (config.listen.port === 0) ctx.out('(listen.port is 0: serve picks a free port at start and prints it; use that for PORT.)\n');
      ctx.out(describeKey(key, declared) + '\n');
    } finally {
      await store.close();
    }
  });

  dbFlags(keys.command('list').description('list keys (never their secrets)'))
    .option('--all', 'include revoked keys')
    .option('--json', 'print JSON')
    .action(async (flags: KeyFlags & { all?: boolean; json?: boolean }) => {
      const config = configFor(ctx, flags.config);
      const db = dbToReadFor(ctx, config, flags.db);
      const store = await openStoreFor(ctx, db.path, 'read', db.namedBy);
      const declared = keyDeclarations(config.keys);
      try {
        // The values marked (config) are the file's; a running serve enforces the file it started with.
        const drift = await configDriftNote(db.path, store.meta, declaredFingerprint(config));
        const list = await store.keys.list({ includeRevoked: flags.all === true });
        // Each key's spend this period against the budget serve enforces (a revoked key's is moot).
        const spends = new Map<string, KeySpend | null>();
        for (const k of list) {
          const budget = k.revokedAt === null ? effectiveKey(k, declarationOf(declared, k.name)).budget : null;
          spends.set(k.name, await keySpend(store.budgets, k.name, budget, ctx.clock(), config.timezone));
        }
        if (flags.json) {
          ctx.out(JSON.stringify(list.map((k) => ({ ...keyJson(k), enforced: enforcedJson(k, declarationOf(declared, k.name)), spend: keySpendJson(spends.get(k.name) ?? null) })), null, 2) + '\n');
        } else if (list.length === 0) {
          ctx.out(`No keys yet. Create one with \`${ctx.invokedAs ?? DEFAULT_INVOCATION} keys create NAME\`.\n`);
        } else {
          ctx.out(keysTable(list, declared, spends, paint(wantsColor(ctx))) + '\n');
        }
        if (drift !== null) (flags.json ? ctx.err : ctx.out)(drift + '\n');
      } finally {
        await store.close();
      }
    });

  dbFlags(keys.command('revoke <name>').description('revoke a key; a running serve answers its calls with 401 within about a second')).action(async (name: string, flags: KeyFlags) => {
    const store = await storeFor(ctx, configFor(ctx, flags.config), flags, 'write');
    try {
      if (!(await revokeKeyAudited(store, name, 'cli', ctx.clock()))) throw await noActiveKey(store, name, ctx);
      ctx.out(`Revoked key '${name}'.\n`);
    } finally {
      await store.close();
    }
  });

  withKeyFlags(dbFlags(keys.command('set <name>').description("change a key's budget, tags or allow-lists")))
    .option('--clear-tags', 'remove all fixed tags first')
    .option('--any-provider', 'allow every provider again (clears the --provider allow-list)')
    .option('--any-model', 'allow every model again (clears the --model allow-list)')
    .action(async (name: string, flags: KeyFlags & { clearTags?: boolean; anyProvider?: boolean; anyModel?: boolean }) => {
      if (flags.anyProvider && flags.provider) throw new UsageError('--any-provider and --provider cannot be combined: --any-provider clears the provider allow-list, --provider sets it');
      if (flags.anyModel && flags.model) throw new UsageError('--any-model and --model cannot be combined: --any-model clears the model allow-list, --model sets it');
      const config = configFor(ctx, flags.config);
      const store = await storeFor(ctx, config, flags, 'write');
      try {
        const key = await store.keys.byName(name);
        if (!key || key.revokedAt !== null) throw await noActiveKey(store, name, ctx);
        // Merged with the key as stored inside the update's transaction (as the admin API's
        // PATCH is): a change made meanwhile by another process is kept.
        const patchOf = (current: KeyRecord): KeyPatch => {
          const patch: KeyPatch = {};
          if (flags.tag || flags.clearTags) patch.tags = { ...(flags.clearTags ? {} : current.tags), ...parseTagFlags(flags.tag) };
          // --any-provider / --any-model: the empty list, as the admin API's PATCH clears one.
          if (flags.provider || flags.anyProvider) patch.providers = checkedProviders(flags.provider, config);
          if (flags.model || flags.anyModel) patch.models = allowListNames('--model', flags.model);
          if (flags.budget !== undefined || flags.period !== undefined || flags.alertAt !== undefined || flags.soft !== undefined) patch.budget = parseBudget(flags, current.budget);
          return patch;
        };
        const patch = patchOf(key); // bad flags are refused before anything is written
        if (Object.keys(patch).length === 0) throw new UsageError(`keys set ${name} changes nothing: give --budget, --period, --alert-at, --soft or --no-soft, --tag, --clear-tags, --provider, --any-provider, --model or --any-model`);
        const updated = await updateKeyAudited(store, name, patchOf, 'cli', ctx.clock());
        ctx.out(`Updated key '${name}'.\n${describeKey(updated ?? key, declarationOf(keyDeclarations(config.keys), name))}\n`);
        const declared = config.keys[name];
        for (const field of Object.keys(patch) as Array<keyof typeof patch>) {
          if (declared?.[field] !== undefined) ctx.err(`note: keys.${name}.${field} in the config overrides the stored ${field}\n`);
        }
      } finally {
        await store.close();
      }
    });

  dbFlags(keys.command('history [name]').description('the audit trail of key and budget changes (CLI, admin API, config)'))
    .option('--limit <n>', 'show only the newest N entries')
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, flags: KeyFlags & { limit?: string; json?: boolean }) => {
      if (flags.limit !== undefined && !/^[1-9]\d*$/.test(flags.limit)) throw new UsageError(`--limit expects a whole number ≥ 1, got '${flags.limit}'`);
      const store = await storeFor(ctx, configFor(ctx, flags.config), flags, 'read');
      try {
        const events = await store.history.list({ ...(name !== undefined ? { keyName: name } : {}), ...(flags.limit !== undefined ? { limit: Number(flags.limit) } : {}) });
        if (flags.json) {
          ctx.out(JSON.stringify(events.map((e) => ({ ts: new Date(e.ts).toISOString(), actor: e.actor, action: e.action, key: e.keyName, details: e.details })), null, 2) + '\n');
        } else if (events.length === 0) {
          ctx.out(name === undefined ? 'No key changes recorded yet.\n' : `No changes recorded for '${name}'.\n`);
        } else {
          for (const e of events) ctx.out(describeEvent(e) + '\n');
        }
      } finally {
        await store.close();
      }
    });
}

/** Where `serve` with this config listens: scheme from `tls`, host (lib/host.ts connectHost) and port from `listen` (PORT when port 0 lets serve choose). */
function proxyUrl(config: Config): string {
  const tls = config.tls !== undefined;
  const scheme = tls ? 'https' : 'http';
  const host = connectHost(config.listen.host, tls);
  const port = config.listen.port === 0 ? 'PORT' : String(config.listen.port);
  return `${scheme}://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/**
 * The store of `--db` for a command on keys already stored: `write` for changes (revoke,
 * set), `read` for lists and history. Either way the database must exist (dbToReadFor:
 * exit 2 naming the path); only `keys create` makes a new one. `config` is the command's,
 * read once by it.
 */
async function storeFor(ctx: CliContext, config: Config, flags: KeyFlags, access: 'read' | 'write') {
  const db = dbToReadFor(ctx, config, flags.db);
  return openStoreFor(ctx, db.path, access, db.namedBy);
}

/** The refusal for `name`, no active key in `store`, naming what exists and what to run (unknown-key.ts). */
async function noActiveKey(store: Awaited<ReturnType<typeof storeFor>>, name: string, ctx: CliContext) {
  const [stored, keys] = await Promise.all([store.keys.byName(name), store.keys.list({ includeRevoked: false })]);
  return noActiveKeyError(name, stored ?? null, keys, ctx.invokedAs ?? DEFAULT_INVOCATION);
}

/** A budget as the key commands show it: `$5.00/month`, `(soft)` after a soft one. */
function budgetText(b: KeyBudget): string {
  return `${formatUsd(b.limitNano)}/${b.period}${b.soft ? ' (soft)' : ''}`;
}

/**
 * One key as a line: name, prefix, then what serve enforces (the stored key merged with its
 * config declaration `declared`, keys/effective.ts). A field the config declares is marked
 * "(config)"; a stored budget it overrides is named as not enforced.
 */
function describeKey(key: KeyRecord, declared: KeyDeclaration | undefined): string {
  const e = effectiveKey(key, declared);
  const config = fromConfig(declared);
  const mark = (field: (typeof DECLARABLE)[number], text: string) => (config.includes(field) ? `${text} (config)` : text);
  const parts = [`${key.name.padEnd(20)} ${key.prefix}…`];
  if (key.revokedAt !== null) parts.push(`revoked ${new Date(key.revokedAt).toISOString()}`);
  if (e.budget && config.includes('budget') && key.budget) parts.push(`budget ${budgetText(e.budget)} (config; stored ${budgetText(key.budget)} is not enforced)`);
  else if (e.budget) parts.push(mark('budget', `budget ${budgetText(e.budget)}`));
  const tags = Object.entries(e.tags);
  if (tags.length > 0) parts.push(mark('tags', `tags ${tags.map(([k, v]) => `${k}=${v}`).join(',')}`));
  if (e.providers.length > 0) parts.push(mark('providers', `providers ${e.providers.join(',')}`));
  if (e.models.length > 0) parts.push(mark('models', `models ${e.models.join(',')}`));
  parts.push(`created ${new Date(key.createdAt).toISOString().slice(0, 10)}`);
  return parts.join('  ');
}

/**
 * `keys list` as a grid with a header row: name, key prefix, budget (with this period's
 * spend against it and `blocked` at a hard cap, cli/key-spend.ts), fixed tags, created;
 * the allow-lists and the revocation time only when some key listed has them. Each shows
 * what serve enforces: a value the config declares (it wins over the stored one) is marked
 * "(config)", with a line under the grid saying so.
 */
function keysTable(list: readonly KeyRecord[], declared: Readonly<Record<string, KeyDeclaration>>, spends: ReadonlyMap<string, KeySpend | null>, p: Paint): string {
  const shown = list.map((k) => ({ ...k, ...effectiveKey(k, declarationOf(declared, k.name)), config: fromConfig(declarationOf(declared, k.name)) }));
  type Shown = (typeof shown)[number];
  const orDash = (s: string) => (s === '' ? '—' : s);
  const mark = (k: Shown, field: (typeof DECLARABLE)[number], text: string) => (k.config.includes(field) ? `${text} (config)` : text);
  const columns: Array<[string, (k: Shown) => string]> = [
    ['name', (k) => k.name],
    ['key', (k) => `${k.prefix}…`],
    ['budget', (k) => budgetCell(k.budget === null ? null : mark(k, 'budget', budgetText(k.budget)), spends.get(k.name) ?? null)],
    ['tags', (k) => mark(k, 'tags', orDash(Object.entries(k.tags).map(([t, v]) => `${t}=${v}`).join(',')))],
  ];
  if (shown.some((k) => k.providers.length > 0)) columns.push(['providers', (k) => mark(k, 'providers', orDash(k.providers.join(',')))]);
  if (shown.some((k) => k.models.length > 0)) columns.push(['models', (k) => mark(k, 'models', orDash(k.models.join(',')))]);
  columns.push(['created', (k) => new Date(k.createdAt).toISOString().slice(0, 10)]);
  if (shown.some((k) => k.revokedAt !== null)) columns.push(['revoked', (k) => (k.revokedAt === null ? '—' : new Date(k.revokedAt).toISOString())]);
  const grid = renderGrid(
    columns.map(([header]) => ({ header, align: 'left' as const })),
    shown.map((k) => columns.map(([, value]) => value(k))),
    p,
  );
  return shown.some((k) => k.config.length > 0) ? `${grid}\n(config): set by keys.NAME in the config, which wins over the stored value` : grid;
}

/** The budget column: `—` without a budget, else the spend of this period against `text` (the budget as shown). */
function budgetCell(text: string | null, spend: KeySpend | null): string {
  if (text === null) return '—';
  return spend === null ? text : keySpendText(spend, text);
}

/** One audit entry as a line: time, actor, action, key, then the details as compact JSON. */
function describeEvent(e: KeyEvent): string {
  const details = Object.keys(e.details).length === 0 ? '' : `  ${JSON.stringify(e.details)}`;
  return `${new Date(e.ts).toISOString()}  ${e.actor.padEnd(6)} ${e.action.padEnd(12)} ${e.keyName}${details}`;
}
