import { hashSecret, keyPrefix, newMeteringKey } from '../lib/ids.js';
import { nanoToUsd } from '../lib/money.js';
import type { KeyBudget, KeyEventActor, KeyPatch, KeyRecord } from '../store/types.js';
import type { Store } from '../store/facade.js';
import { effectiveKey, fromConfig, type KeyDeclaration } from '../keys/effective.js';

export type { KeyPatch } from '../store/types.js';

/**
 * Changes to metering keys, each written together with its audit trail entry (one
 * transaction), shared by the CLI (`tokometer keys …`, actor 'cli') and the admin API
 * (actor 'admin'). Audit details never hold a secret, only its visible prefix.
 */

/** Key names: letters, digits, `_ . : -`, 1-64 characters. */
export const KEY_NAME_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface NewKeyInput {
  name: string;
  tags?: Record<string, string>;
  providers?: string[];
  models?: string[];
  budget?: KeyBudget | null;
}

/** A budget as JSON (USD, snake_case), null when none. */
export function budgetJson(b: KeyBudget | null): { limit_usd: number; period: string; alert_at: number[]; soft: boolean } | null {
  return b === null ? null : { limit_usd: nanoToUsd(b.limitNano), period: b.period, alert_at: [...b.alertAt], soft: b.soft };
}

/** A key as JSON for the admin API and `keys list --json`: never the hash or the secret. */
export function keyJson(k: KeyRecord): Record<string, unknown> {
  return {
    name: k.name,
    prefix: k.prefix,
    tags: k.tags,
    providers: k.providers,
    models: k.models,
    budget: budgetJson(k.budget),
    created_at: new Date(k.createdAt).toISOString(),
    revoked_at: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
  };
}

/**
 * What serve enforces for stored key `k` (merged with its config declaration), with the
 * fields the config sets in `from_config`: the admin API's and `keys list --json`'s `enforced`.
 */
export function enforcedJson(k: KeyRecord, declared: KeyDeclaration | undefined): Record<string, unknown> {
  const e = effectiveKey(k, declared);
  return { tags: e.tags, providers: e.providers, models: e.models, budget: budgetJson(e.budget), from_config: fromConfig(declared) };
}

/** The store parts a key change uses. */
type KeyWrites = Pick<Store, 'unitOfWork'>;

/**
 * Creates a key with a fresh secret (returned once, stored only as its SHA-256).
 * @throws KeyExistsError when the name is taken (also by a revoked key).
 */
export async function createKeyAudited(store: KeyWrites, input: NewKeyInput, actor: KeyEventActor, now: number): Promise<{ key: KeyRecord; secret: string }> {
  const secret = newMeteringKey();
  const key = await store.unitOfWork(async (tx) => {
    const created = await tx.keys.create({
      name: input.name,
      prefix: keyPrefix(secret),
      hash: hashSecret(secret),
      tags: input.tags ?? {},
      providers: input.providers ?? [],
      models: input.models ?? [],
      budget: input.budget ?? null,
      createdAt: now,
    });
    const details = { prefix: created.prefix, tags: created.tags, providers: created.providers, models: created.models, budget: budgetJson(created.budget) };
    await tx.history.append({ ts: now, actor, action: 'create', keyName: created.name, details });
    return created;
  });
  return { key, secret };
}

/** Revokes an active key. @returns false when there is no active key of that name. */
export function revokeKeyAudited(store: KeyWrites, name: string, actor: KeyEventActor, now: number): Promise<boolean> {
  return store.unitOfWork(async (tx) => {
    if (!(await tx.keys.revoke(name, now))) return false;
    await tx.history.append({ ts: now, actor, action: 'revoke', keyName: name, details: {} });
    return true;
  });
}

/**
 * Changes an active key; the audit entry lists each changed field as `{from, to}`
 * (nothing is written when nothing changed). @returns undefined when there is no active key of that name.
 */
export function updateKeyAudited(store: KeyWrites, name: string, patch: KeyPatch | ((current: KeyRecord) => KeyPatch), actor: KeyEventActor, now: number): Promise<KeyRecord | undefined> {
  return store.unitOfWork(async (tx) => {
    // Read under the key's row lock (another replica's change of it commits first or waits).
    await tx.keys.lock(name);
    const before = await tx.keys.byName(name);
    if (before === undefined || before.revokedAt !== null) return undefined;
    // A patch merged with the key as it is inside this transaction (a budget field changed
    // alone): two changes at once then both apply, neither overwriting the other.
    const after = (await tx.keys.update(name, typeof patch === 'function' ? patch(before) : patch)) ?? before;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of ['tags', 'providers', 'models', 'budget'] as const) {
      const from = field === 'budget' ? budgetJson(before.budget) : before[field];
      const to = field === 'budget' ? budgetJson(after.budget) : after[field];
      if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
    }
    if (Object.keys(changes).length > 0) await tx.history.append({ ts: now, actor, action: 'set', keyName: name, details: { changes } });
    return after;
  });
}
