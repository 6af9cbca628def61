import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import { startProxy, type RunningProxy, type StartProxyOptions } from '../../src/proxy/start.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testProxyOptions } from '../support/proxy-harness.js';

/*
 * A key declared under `keys:` applies to the stored key of that name (keys/effective.ts).
 * Declared without `secret_env` and never created (`keys create` not run, or run against
 * another database before `db:` was set), its budget, tags and allow-lists apply to no call.
 * The trial's serve logged `"enforced":0` without naming it; keys declared with `secret_env`
 * it cannot use were already warned about (proxy/auth.ts syncConfigKeys).
 *
 * When that stored key is revoked, its calls get 401 and the declaration applies to no call
 * either. Serve warned about the absent key but said nothing about the revoked one. Revoked
 * keys keep their name and cannot be restored (cli/keys.ts `keys create` refuses the name),
 * so the way out is a new key and the declaration moved. A declared key with `secret_env`
 * whose stored key is revoked already has its own warning ("is revoked; the secret in … gets
 * 401", with the same way out: the declaration under a new name) and must not be named twice.
 */

let dir: string | undefined;
let proxy: RunningProxy | undefined;
afterEach(async () => {
  await proxy?.stop(0);
  proxy = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Serve on a fresh database with `yaml`'s keys, `beforeStart` storing keys first; the warnings it logged. */
async function startWith(yaml: string, env: Record<string, string>, beforeStart: StartProxyOptions['beforeStart']): Promise<{ proxy: RunningProxy; warnings: string[] }> {
  dir = mkdtempSync(path.join(tmpdir(), 'tokometer-declared-'));
  const driver = openDriver(path.join(dir, 'k.db'));
  const config = parseConfigText(yaml, { file: 't.yaml', env });
  const warnings: string[] = [];
  proxy = await startProxy({
    ...testProxyOptions(config, driver),
    env,
    log: { info: () => {}, error: () => {}, warn: (msg) => void warnings.push(msg) },
    beforeStart,
  });
  return { proxy, warnings };
}

const ABSENT_YAML = [
  'keys:',
  '  present: { budget: { limit_usd: 5 } }',
  '  ghost: { budget: { limit_usd: 10, period: day } }',
  '  shadow: { tags: { team: search } }',
  '  from-env: { secret_env: FROM_ENV_KEY }',
  '',
].join('\n');

const REVOKED_YAML = [
  'keys:',
  '  present: { budget: { limit_usd: 5 } }',
  '  retired: { budget: { limit_usd: 10, period: day } }',
  '  old-batch: { tags: { team: batch } }',
  '  ghost: { tags: { team: search } }',
  '  from-env: { secret_env: FROM_ENV_KEY }',
  '',
].join('\n');

describe('serve start with config keys that apply to no call', () => {
  it('logs one warning naming ghost and shadow and `tokometer keys create NAME`; ghost created later still gets its $10/day budget', async () => {
    const present = newMeteringKey();
    const { proxy, warnings } = await startWith(ABSENT_YAML, {}, async (store) => {
      await store.keys.create({ name: 'present', prefix: keyPrefix(present), hash: hashSecret(present), createdAt: 1 });
    });

    expect(warnings).toEqual([
      "key 'from-env': environment variable FROM_ENV_KEY is unset or not a metering key (mk_ + 32 characters)",
      "keys declared in the config but not in the database: 'ghost', 'shadow'; each declaration applies once its key is created (`tokometer keys create NAME`), without a restart",
    ]);

    // Created afterwards (as `keys create ghost` does), the key takes its declaration: $10/day = 10,000,000,000 nano-USD.
    const secret = newMeteringKey();
    await proxy.store.keys.create({ name: 'ghost', prefix: keyPrefix(secret), hash: hashSecret(secret), createdAt: 2 });
    await proxy.keys.reload();
    expect(proxy.keys.resolve(secret)).toMatchObject({ name: 'ghost', budget: { limitNano: 10_000_000_000, period: 'day' } });
  });

  it("logs one warning naming retired and old-batch, that their calls get 401, and what to do instead; from-env's revoked key keeps only its own warning", async () => {
    const env = { FROM_ENV_KEY: newMeteringKey() };
    const present = newMeteringKey();
    const retired = newMeteringKey();
    const oldBatch = newMeteringKey();
    const { proxy, warnings } = await startWith(REVOKED_YAML, env, async (store) => {
      await store.keys.create({ name: 'present', prefix: keyPrefix(present), hash: hashSecret(present), createdAt: 1 });
      for (const [name, secret] of [['retired', retired], ['old-batch', oldBatch], ['from-env', env.FROM_ENV_KEY]] as const) {
        await store.keys.create({ name, prefix: keyPrefix(secret), hash: hashSecret(secret), createdAt: 1 });
        await store.keys.revoke(name, 2);
      }
    });

    expect(warnings).toEqual([
      "key 'from-env' is revoked; the secret in FROM_ENV_KEY gets 401. A revoked key cannot be restored and keeps its name: move the declaration (secret_env: FROM_ENV_KEY) to keys.NEW_NAME, which serve creates with that secret at its next start, or remove it",
      "keys declared in the config but not in the database: 'ghost'; each declaration applies once its key is created (`tokometer keys create NAME`), without a restart",
      "keys declared in the config whose key in the database is revoked: 'retired', 'old-batch'; their calls get 401 and each declaration applies to no call. A revoked key cannot be restored and keeps its name: create a new key (`tokometer keys create NEW_NAME`) and move the declaration to keys.NEW_NAME, or remove it",
    ]);

    // The dead end the warning names: retired's secret gets 401 (no key), its $10/day budget no call.
    expect(proxy.keys.resolve(retired)).toBeNull();
    const res = await fetch(`${proxy.url}/proxy/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${retired}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(401);
    await res.text();
    expect(proxy.keys.resolve(present)).toMatchObject({ name: 'present', budget: { limitNano: 5_000_000_000 } });
  });

  it('says nothing when every declared key is stored and active (a revoked key the config does not declare is nobody\'s mistake)', async () => {
    const present = newMeteringKey();
    const other = newMeteringKey();
    const { warnings } = await startWith('keys:\n  present: { budget: { limit_usd: 5 } }\n', {}, async (store) => {
      await store.keys.create({ name: 'present', prefix: keyPrefix(present), hash: hashSecret(present), createdAt: 1 });
      await store.keys.create({ name: 'undeclared', prefix: keyPrefix(other), hash: hashSecret(other), createdAt: 1 });
      await store.keys.revoke('undeclared', 2);
    });
    expect(warnings).toEqual([]);
  });
});
