import { declarationOf, effectiveKey, secretEnvProblem, type EffectiveKey, type KeyDeclaration } from '../keys/effective.js';
import { hashSecret, keyPrefix, looksLikeMeteringKey } from '../lib/ids.js';
import type { Store } from '../store/facade.js';
import { KeyExistsError } from '../store/keys.js';

/** A metering key as the proxy enforces it: the stored key merged with its YAML declaration (keys/effective.ts). */
export type ResolvedKey = EffectiveKey;

/** ms between two looks at the store's change token: the bound on applying another process's key change. */
export const KEY_WATCH_MS = 250;

/** Least ms between the starts of two re-reads asked by unknown secrets (`resolveFresh`). */
export const KEY_RECHECK_MS = 50;

/**
 * Announcements of key changes (PostgreSQL LISTEN, store/pg/pg-store.ts `listenChanges`):
 * `onChange` after another process committed one, `onReconnect` when the listening
 * connection is back after a loss. Resolves once listening; the result stops it.
 */
export type KeyChangeFeed = (onChange: () => void, onReconnect: () => void) => Promise<() => Promise<void>>;

/**
 * Resolves client secrets to keys from an in-memory table: `resolve` never waits on the
 * store. The table is reloaded asynchronously and swapped in whole once read, so a
 * request sees the old table or the new one, never half of each:
 * - after a change this process made, `await reload()` (it resolves once the new table
 *   and every `onReload` listener applied it, so the next request sees the change);
 * - after a change another process made (`tokometer keys revoke` in another terminal),
 *   `watch()` polls the store's change token every KEY_WATCH_MS and reloads when it moved,
 *   so such a change applies within about KEY_WATCH_MS plus one read of the keys; with a
 *   change feed (PostgreSQL NOTIFY) it reloads as soon as the change is announced, and the
 *   polling stays as the fallback for an announcement lost with its connection.
 */
export class KeyResolver {
  private byHash = new Map<string, ResolvedKey>();
  private token: number | undefined;
  private loading: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private watching = false;
  private stopFeed: (() => Promise<void>) | undefined;
  /** A reload is queued behind the one running (announcements coalesce into it). */
  private queued = false;
  /** The miss re-read not started yet, which every miss until it starts waits for. */
  private nextRecheck: Promise<void> | undefined;
  /** The last miss re-read (settled or not): the next one starts after it. */
  private lastRecheck: Promise<void> = Promise.resolve();
  /** performance.now() ms when the last miss re-read started. */
  private recheckStartedAt = -Infinity;
  private readonly listeners: Array<(keys: readonly ResolvedKey[]) => void | Promise<void>> = [];

  constructor(
    private readonly store: Pick<Store, 'keys' | 'meta'>,
    private readonly declared: Readonly<Record<string, KeyDeclaration>>,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** The key for a presented secret, or null when unknown, revoked or malformed. Synchronous, in memory. */
  resolve(secret: string): ResolvedKey | null {
    if (!looksLikeMeteringKey(secret)) return null;
    return this.byHash.get(hashSecret(secret)) ?? null;
  }

  /**
   * `resolve`, but a well-formed secret not in the table waits for one look at the store's
   * change token that starts after it arrived (and a reload when the token moved), so a key
   * another process created a moment ago is found without waiting for the next poll. Misses
   * are coalesced: at most one such look in flight, the next one starting KEY_RECHECK_MS
   * after the last one started at the earliest, and every miss until then waits for it, so
   * a flood of random secrets makes at most one read of the store per KEY_RECHECK_MS.
   * A failed look leaves the table as it was (reported to `onError`): the answer is null.
   */
  async resolveFresh(secret: string): Promise<ResolvedKey | null> {
    const known = this.resolve(secret);
    if (known !== null || !looksLikeMeteringKey(secret)) return known;
    await this.recheck();
    return this.resolve(secret);
  }

  /** The coalesced miss re-read (see resolveFresh); never rejects. */
  private recheck(): Promise<void> {
    if (this.nextRecheck !== undefined) return this.nextRecheck;
    const next = this.lastRecheck.then(async () => {
      const wait = this.recheckStartedAt + KEY_RECHECK_MS - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // From here on, a new miss waits for the read after this one: it may have arrived after this token read.
      this.nextRecheck = undefined;
      this.recheckStartedAt = performance.now();
      try {
        if ((await this.store.meta.changeToken()) !== this.token) await this.reload();
      } catch (error) {
        this.onError(error);
      }
    });
    this.nextRecheck = next;
    this.lastRecheck = next;
    return next;
  }

  /**
   * Reads the keys again and swaps the table in, then waits for every `onReload`
   * listener. Reloads run one after another; each starts after the previous one ended,
   * so a change committed before this call is in the table when it resolves.
   */
  reload(): Promise<void> {
    const next = this.loading.then(() => this.load());
    this.loading = next.catch(() => {});
    return next;
  }

  /**
   * Calls `listener` with every active key after each reload (also those caused by
   * another process's change); `reload` waits for the promise it returns. Listeners must not throw.
   */
  onReload(listener: (keys: readonly ResolvedKey[]) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  /** All active keys, merged with their YAML declarations. */
  activeKeys(): ResolvedKey[] {
    return [...this.byHash.values()];
  }

  /**
   * Starts polling the change token (see the class comment), and listening to `feed` when
   * given; resolves once listening (a feed that cannot start is reported to `onError`:
   * the polling still applies changes). The timer never holds the process open.
   */
  async watch(intervalMs = KEY_WATCH_MS, feed?: KeyChangeFeed): Promise<void> {
    if (this.watching) return;
    this.watching = true;
    if (feed !== undefined) {
      try {
        const announced = () => this.reloadSoon();
        this.stopFeed = await feed(announced, announced);
      } catch (error) {
        this.onError(error);
      }
    }
    const tick = async () => {
      try {
        if ((await this.store.meta.changeToken()) !== this.token) await this.reload();
      } catch (error) {
        this.onError(error);
      }
      if (!this.watching) return;
      this.timer = setTimeout(() => void tick(), intervalMs);
      (this.timer as { unref?: () => void }).unref?.();
    };
    this.timer = setTimeout(() => void tick(), intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Stops `watch`; waits for a reload in progress. */
  async close(): Promise<void> {
    this.watching = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.stopFeed?.().catch(() => {});
    await this.loading;
  }

  /** One reload after the one running (several announcements in a row make one reload). */
  private reloadSoon(): void {
    if (this.queued || !this.watching) return;
    this.queued = true;
    this.loading
      .then(() => {
        this.queued = false;
        return this.reload();
      })
      .catch((error: unknown) => this.onError(error));
  }

  private async load(): Promise<void> {
    // The token is read first: a change committed while the keys are read moves it again.
    const token = await this.store.meta.changeToken();
    const table = new Map<string, ResolvedKey>();
    for (const key of await this.store.keys.list()) {
      if (key.revokedAt === null) table.set(key.hash, effectiveKey(key, declarationOf(this.declared, key.name)));
    }
    this.token = token;
    this.byHash = table;
    if (this.listeners.length === 0) return;
    const active = [...table.values()];
    await Promise.all(this.listeners.map((listener) => listener(active)));
  }
}

/**
 * Makes sure every declared key whose secret comes from an environment variable
 * (`secretEnv`) exists in the store with that secret's hash (audited, actor 'config').
 * Returns one warning per key that could not be set up (variable unset or malformed, stored
 * key revoked, name taken by another secret), then one naming every other declared key with no key of
 * that name in the store and one naming those whose stored key is revoked (unusableDeclaredKeys).
 */
export async function syncConfigKeys(
  store: Pick<Store, 'keys' | 'unitOfWork'>,
  keys: Readonly<Record<string, KeyDeclaration>>,
  env: Readonly<Record<string, string | undefined>>,
  now: number,
): Promise<string[]> {
  const warnings: string[] = [];
  for (const [name, declared] of Object.entries(keys)) {
    const secretEnv = declared.secretEnv;
    if (!secretEnv) continue;
    const problem = secretEnvProblem(name, secretEnv, env);
    if (problem !== null) {
      warnings.push(problem);
      continue;
    }
    const secret = env[secretEnv] as string;
    const hash = hashSecret(secret);
    let existing = await store.keys.byName(name);
    if (!existing) {
      try {
        await store.unitOfWork(async (tx) => {
          const key = await tx.keys.create({ name, prefix: keyPrefix(secret), hash, createdAt: now, budget: declared.budget ?? null });
          await tx.history.append({ ts: now, actor: 'config', action: 'create', keyName: name, details: { prefix: key.prefix, secret_env: secretEnv } });
        });
        continue;
      } catch (error) {
        // Another process (a replica starting with the same config) created it meanwhile.
        if (!(error instanceof KeyExistsError)) throw error;
        existing = await store.keys.byName(name);
      }
    }
    if (existing === undefined) warnings.push(`key '${name}': the secret in ${secretEnv} belongs to another key`);
    // Revoked first: revoking is no way out for a key already revoked, whatever its secret.
    else if (existing.revokedAt !== null) warnings.push(revokedSecretEnvKey(name, secretEnv));
    else if (existing.hash !== hash) warnings.push(`key '${name}' already exists with another secret; revoke it first to use ${secretEnv}`);
  }
  const { absent, revoked } = await unusableDeclaredKeys(store, keys);
  const names = (list: readonly string[]) => list.map((name) => `'${name}'`).join(', ');
  if (absent.length > 0) {
    warnings.push(`keys declared in the config but not in the database: ${names(absent)}; each declaration applies once its key is created (\`tokometer keys create NAME\`), without a restart`);
  }
  if (revoked.length > 0) {
    warnings.push(
      `keys declared in the config whose key in the database is revoked: ${names(revoked)}; their calls get 401 and each declaration applies to no call. ` +
        'A revoked key cannot be restored and keeps its name: create a new key (`tokometer keys create NEW_NAME`) and move the declaration to keys.NEW_NAME, or remove it',
    );
  }
  return warnings;
}

/**
 * The warning for declared key `name` whose stored key is revoked, its secret from `secretEnv`
 * (the revoked one, or a new one after a rotation: either gets 401). A revoked key keeps its
 * name and cannot be restored, so the way out is the declaration under a new name (syncConfigKeys
 * creates that key from the variable at serve's next start) or none, as for unusableDeclaredKeys.
 */
function revokedSecretEnvKey(name: string, secretEnv: string): string {
  return (
    `key '${name}' is revoked; the secret in ${secretEnv} gets 401. A revoked key cannot be restored and keeps its name: ` +
    `move the declaration (secret_env: ${secretEnv}) to keys.NEW_NAME, which serve creates with that secret at its next start, or remove it`
  );
}

/**
 * Declared keys without `secretEnv` whose declaration applies to no call: `absent`, no stored
 * key (active or revoked) is named after them, until `keys create` (or the admin API) makes
 * the key, which the key table's reload then merges with the declaration; `revoked`, the
 * stored key of that name is revoked (its calls get 401), which nothing undoes, since
 * revoked keys keep their name. Keys with `secretEnv` are left out: syncConfigKeys creates
 * them, or warns about them already. One read (keys.byName) per such key.
 */
async function unusableDeclaredKeys(store: Pick<Store, 'keys'>, keys: Readonly<Record<string, KeyDeclaration>>): Promise<{ absent: string[]; revoked: string[] }> {
  const absent: string[] = [];
  const revoked: string[] = [];
  for (const [name, declared] of Object.entries(keys)) {
    if (declared.secretEnv !== undefined) continue;
    const stored = await store.keys.byName(name);
    if (stored === undefined) absent.push(name);
    else if (stored.revokedAt !== null) revoked.push(name);
  }
  return { absent, revoked };
}
