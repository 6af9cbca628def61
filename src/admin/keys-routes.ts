import { z } from 'zod';
import { declarationOf } from '../keys/effective.js';
import { MAX_LIMIT_USD, usdToNano } from '../lib/money.js';
import type { OutgoingResponse } from '../proxy/types.js';
import { alertFractions } from '../schemas/alert-at.js';
import { refuseSubNano } from '../schemas/limit-usd.js';
import { tagMap } from '../schemas/tags.js';
import { KeyExistsError } from '../store/keys.js';
import type { BudgetPeriod, KeyBudget, KeyRecord } from '../store/types.js';
import { invalidBody } from './body-issues.js';
import type { AdminDeps } from './deps.js';
import { AdminError, badRequest, json, notFound } from './http.js';
import { KEY_NAME_RE, createKeyAudited, enforcedJson, keyJson, revokeKeyAudited, updateKeyAudited, type KeyPatch } from './key-ops.js';

const period = z.enum(['day', 'week', 'month', 'total']);
/** A budget in a request; every field optional so PATCH can change one (limit_usd is needed when the key has no budget yet). */
const budgetInput = z.strictObject({
  limit_usd: z
    .number()
    .nonnegative()
    .max(MAX_LIMIT_USD, `limit_usd may be at most ${MAX_LIMIT_USD} USD (larger amounts cannot be counted to the nano-dollar)`)
    .superRefine(refuseSubNano)
    .optional(),
  period: period.optional(),
  alert_at: alertFractions.optional(),
  soft: z.boolean().optional(),
});
/** A name in an allow-list: an empty one matches no request, so every call of the key would be refused. */
const allowedName = z.string().refine((name) => name.trim() !== '', 'an empty name matches no request, so every call of the key would be refused (leave the field out, or send [] to allow all)');
const keyFields = {
  budget: budgetInput.nullable().optional(),
  tags: tagMap.optional(),
  /** Allowed provider names; absent = all. */
  providers: z.array(allowedName).optional(),
  /** Allowed models (as requested); absent = all. */
  models: z.array(allowedName).optional(),
};
const createInput = z.strictObject({ name: z.string().regex(KEY_NAME_RE, 'use letters, digits, _ . : - (1-64 characters)'), ...keyFields });
const patchInput = z.strictObject(keyFields);

type BudgetInput = z.infer<typeof budgetInput>;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body, { reportInput: true });
  if (r.success) return r.data;
  throw invalidBody(r.error.issues);
}

/** A requested budget merged over the current one (defaults: month, alerts at 50/80/100 %, hard). */
function mergeBudget(input: BudgetInput | null | undefined, current: KeyBudget | null): KeyBudget | null | undefined {
  if (input === undefined) return undefined;
  if (input === null) return null;
  const limitNano = input.limit_usd === undefined ? current?.limitNano : usdToNano(input.limit_usd);
  if (limitNano === undefined) throw badRequest('invalid_body', 'Invalid request body: budget.limit_usd is required when the key has no budget yet.');
  return {
    limitNano,
    period: (input.period ?? current?.period ?? 'month') as BudgetPeriod,
    alertAt: input.alert_at ?? current?.alertAt ?? [0.5, 0.8, 1],
    soft: input.soft ?? current?.soft ?? false,
  };
}

/** Which of a key's settings the YAML config overrides (those win over stored values). */
function configWarnings(deps: AdminDeps, name: string, fields: string[]): string[] {
  const declared = declarationOf(deps.configKeys, name);
  if (declared === undefined) return [];
  return fields.filter((f) => declared[f as keyof typeof declared] !== undefined).map((f) => `keys.${name}.${f} in the config overrides the stored ${f}`);
}

/** `GET /admin/keys[?all=1]`: each key as stored, and in `enforced` what serve applies (a config declaration wins, named in `from_config`). */
export async function listKeys(deps: AdminDeps, query: URLSearchParams): Promise<OutgoingResponse> {
  const all = query.get('all') === '1' || query.get('all') === 'true';
  const keys = await deps.store.keys.list({ includeRevoked: all });
  return json(200, { keys: keys.map((k) => ({ ...keyJson(k), enforced: enforcedJson(k, declarationOf(deps.configKeys, k.name)) })) });
}

/** `POST /admin/keys`: 201 with the secret, shown this once. */
export async function createKey(deps: AdminDeps, body: unknown): Promise<OutgoingResponse> {
  const input = parse(createInput, body);
  checkProviders(deps, input.providers);
  const now = deps.clock();
  let created;
  try {
    created = await createKeyAudited(
      deps.store,
      { name: input.name, tags: input.tags ?? {}, providers: input.providers ?? [], models: input.models ?? [], budget: mergeBudget(input.budget, null) ?? null },
      'admin',
      now,
    );
  } catch (error) {
    if (error instanceof KeyExistsError) throw new AdminError(409, 'conflict_error', 'key_exists', `A key named '${input.name}' already exists (revoked keys keep their name).`);
    throw error;
  }
  await deps.keys.reload();
  const fields = Object.keys(input).filter((f) => f !== 'name');
  return json(201, { key: keyJson(created.key), secret: created.secret, warnings: configWarnings(deps, input.name, fields) });
}

/** `DELETE /admin/keys/<name>`: revoked from the next request on. */
export async function revokeKey(deps: AdminDeps, name: string): Promise<OutgoingResponse> {
  if (!(await revokeKeyAudited(deps.store, name, 'admin', deps.clock()))) throw notFound('key_not_found', `No active key named '${name}'.`);
  await deps.keys.reload();
  return json(200, { key: keyJson((await deps.store.keys.byName(name))!) });
}

/** `PATCH /admin/keys/<name>`: budget (merged; null removes), tags, providers, models. */
export async function patchKey(deps: AdminDeps, name: string, body: unknown): Promise<OutgoingResponse> {
  const input = parse(patchInput, body);
  checkProviders(deps, input.providers);
  const current = await deps.store.keys.byName(name);
  if (current === undefined || current.revokedAt !== null) throw notFound('key_not_found', `No active key named '${name}'.`);
  // Merged inside the update's transaction: a concurrent PATCH of another budget field is kept.
  const patchOf = (key: KeyRecord): KeyPatch => {
    const patch: KeyPatch = {};
    const budget = mergeBudget(input.budget, key.budget);
    if (budget !== undefined) patch.budget = budget;
    if (input.tags !== undefined) patch.tags = input.tags;
    if (input.providers !== undefined) patch.providers = input.providers;
    if (input.models !== undefined) patch.models = input.models;
    return patch;
  };
  patchOf(current); // refuses a budget without limit_usd before anything is written
  const updated = await updateKeyAudited(deps.store, name, patchOf, 'admin', deps.clock());
  if (updated === undefined) throw notFound('key_not_found', `No active key named '${name}'.`);
  await deps.keys.reload();
  return json(200, { key: keyJson(updated), warnings: configWarnings(deps, name, Object.keys(input)) });
}

/** A key allowed only providers this proxy does not serve would be refused on every call: 400 naming them. */
function checkProviders(deps: AdminDeps, providers: readonly string[] | undefined): void {
  const known = deps.providerNames;
  if (known === undefined || providers === undefined) return;
  const unknown = providers.filter((p) => !known.has(p));
  if (unknown.length > 0) throw badRequest('invalid_body', `Invalid request body: providers: unknown provider ${unknown.map((p) => `'${p}'`).join(', ')} (this proxy serves ${[...known].sort().join(', ')}).`);
}
