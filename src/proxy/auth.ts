import type { KeyConfig } from '../config/schema.js';
import { hashSecret, keyPrefix, looksLikeMeteringKey } from '../lib/ids.js';
import { usdToNano } from '../lib/money.js';
import type { KeyBudget, KeyRecord, Store } from '../store/types.js';

/** A metering key as the proxy enforces it: the stored key merged with its YAML declaration. */
export interface ResolvedKey {
  name: string;
  /** Fixed tags; they win over request tags. */
  tags: Readonly<Record<string, string>>;
  /** Allowed providers; empty = all. */
  providers: readonly string[];
  /** Allowed models; empty = all. */
  models: readonly string[];
  budget: KeyBudget | null;
}

/** Converts a YAML key budget to the stored form. */
export function budgetFromConfig(b: KeyConfig['budget']): KeyBudget | null {
  if (!b) return null;
  return { limitNano: usdToNano(b.limit_usd), period: b.period, alertAt: b.alert_at, soft: b.soft };
}

/**
 * Resolves client secrets to keys from an in-memory table. The table is reloaded
 * when another process commits to the database (PRAGMA data_version changes), so a
 * `tokometer keys revoke` in another terminal takes effect on the next request.
 */
export class KeyResolver {
  private byHash = new Map<string, ResolvedKey>();
  private version = -1;
  private readonly listeners: Array<(keys: readonly ResolvedKey[]) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly configKeys: Readonly<Record<string, KeyConfig>>,
  ) {}

  /** The key for a presented secret, or null when unknown, revoked or malformed. */
  resolve(secret: string): ResolvedKey | null {
    if (!looksLikeMeteringKey(secret)) return null;
    this.refreshIfChanged();
    return this.byHash.get(hashSecret(secret)) ?? null;
  }

  /** Forces a reload (after this process changed keys itself). Then tells every `onReload` listener. */
  reload(): void {
    this.version = this.store.dataVersion();
    const table = new Map<string, ResolvedKey>();
    for (const key of this.store.listKeys()) {
      if (key.revokedAt === null) table.set(key.hash, this.merge(key));
    }
    this.byHash = table;
    if (this.listeners.length === 0) return;
    const active = [...table.values()];
    for (const listener of this.listeners) listener(active);
  }

  /**
   * Calls `listener` with every active key after each reload (including reloads caused by
   * another process's commit, which happen lazily on the next `resolve`, so the listener
   * runs before that request is checked). Listeners must not throw.
   */
  onReload(listener: (keys: readonly ResolvedKey[]) => void): void {
    this.listeners.push(listener);
  }

  /** All active keys, merged with their YAML declarations. */
  activeKeys(): ResolvedKey[] {
    this.refreshIfChanged();
    return [...this.byHash.values()];
  }

  /** True while the current event-loop turn has checked data_version already. */
  private checkedThisTurn = false;

  /**
   * PRAGMA data_version costs several µs per call; one check per event-loop turn serves
   * every request of that turn. They were all read from their sockets before the turn's
   * first check ran, so a commit by another process before any of them was sent is still
   * seen: "the very next request" keeps its meaning.
   */
  private refreshIfChanged(): void {
    if (this.checkedThisTurn) return;
    this.checkedThisTurn = true;
    setImmediate(this.endTurn);
    if (this.store.dataVersion() !== this.version) this.reload();
  }

  private readonly endTurn = (): void => {
    this.checkedThisTurn = false;
  };

  private merge(key: KeyRecord): ResolvedKey {
    const declared = this.configKeys[key.name];
    return {
      name: key.name,
      tags: { ...key.tags, ...(declared?.tags ?? {}) },
      providers: declared?.providers ?? key.providers,
      models: declared?.models ?? key.models,
      budget: declared?.budget ? budgetFromConfig(declared.budget) : key.budget,
    };
  }
}

/**
 * Makes sure every YAML key whose secret comes from an environment variable
 * (`secret_env`) exists in the store with that secret's hash (audited, actor 'config'). Returns one warning per
 * key that could not be set up (variable unset or malformed, name taken by another secret).
 */
export function syncConfigKeys(store: Store, keys: Readonly<Record<string, KeyConfig>>, env: Readonly<Record<string, string | undefined>>, now: number): string[] {
  const warnings: string[] = [];
  for (const [name, declared] of Object.entries(keys)) {
    if (!declared.secret_env) continue;
    const secret = env[declared.secret_env];
    if (!secret || !looksLikeMeteringKey(secret)) {
      warnings.push(`key '${name}': environment variable ${declared.secret_env} is unset or not a metering key (mk_ + 32 characters)`);
      continue;
    }
    const hash = hashSecret(secret);
    const existing = store.getKeyByName(name);
    if (existing) {
      if (existing.hash !== hash) warnings.push(`key '${name}' already exists with another secret; revoke it first to use ${declared.secret_env}`);
      else if (existing.revokedAt !== null) warnings.push(`key '${name}' is revoked; its secret from ${declared.secret_env} is refused`);
      continue;
    }
    store.driver.transaction(() => {
      const key = store.createKey({ name, prefix: keyPrefix(secret), hash, createdAt: now, budget: budgetFromConfig(declared.budget) });
      store.appendKeyEvent({ ts: now, actor: 'config', action: 'create', keyName: name, details: { prefix: key.prefix, secret_env: declared.secret_env } });
    });
  }
  return warnings;
}
