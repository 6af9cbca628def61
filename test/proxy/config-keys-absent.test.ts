import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { hashSecret, keyPrefix, newMeteringKey } from '../../src/lib/ids.js';
import type { Logger } from '../../src/proxy/log.js';
import { startProxy, type RunningProxy } from '../../src/proxy/start.js';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import { testProxyOptions } from '../support/proxy-harness.js';

/*
 * A key declared under `keys:` applies to the stored key of that name (keys/effective.ts).
 * Declared without `secret_env` and never created (`keys create` not run, or run against
 * another database before `db:` was set), its budget, tags and allow-lists apply to no call.
 * The trial's serve logged `"enforced":0` without naming it; keys declared with `secret_env`
 * it cannot use were already warned about (proxy/auth.ts syncConfigKeys).
 */
const YAML = [
  'keys:',
  '  present: { budget: { limit_usd: 5 } }',
  '  ghost: { budget: { limit_usd: 10, period: day } }',
  '  shadow: { tags: { team: search } }',
  '  from-env: { secret_env: FROM_ENV_KEY }',
  '',
].join('\n');

describe('serve start with config keys that are not in the database', () => {
  let dir: string | undefined;
  let proxy: RunningProxy | undefined;
  afterEach(async () => {
    await proxy?.stop(0);
    proxy = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('logs one warning naming ghost and shadow and `tokometer keys create NAME`; ghost created later still gets its $10/day budget', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-ghost-'));
    const driver = openDriver(path.join(dir, 'k.db'));
    const config = parseConfigText(YAML, { file: 't.yaml', env: {} });
    const warnings: string[] = [];
    const log: Logger = { info: () => {}, error: () => {}, warn: (msg) => void warnings.push(msg) };
    const present = newMeteringKey();
    proxy = await startProxy({
      ...testProxyOptions(config, driver),
      log,
      beforeStart: async (store) => {
        await store.keys.create({ name: 'present', prefix: keyPrefix(present), hash: hashSecret(present), createdAt: 1 });
      },
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

  it('says nothing when every declared key is in the database', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tokometer-ghost-'));
    const driver = openDriver(path.join(dir, 'k.db'));
    const config = parseConfigText('keys:\n  present: { budget: { limit_usd: 5 } }\n', { file: 't.yaml', env: {} });
    const warnings: string[] = [];
    const present = newMeteringKey();
    proxy = await startProxy({
      ...testProxyOptions(config, driver),
      log: { info: () => {}, error: () => {}, warn: (msg) => void warnings.push(msg) },
      beforeStart: async (store) => {
        await store.keys.create({ name: 'present', prefix: keyPrefix(present), hash: hashSecret(present), createdAt: 1 });
      },
    });
    expect(warnings).toEqual([]);
  });
});
