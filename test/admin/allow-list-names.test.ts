import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { proxySuite } from '../budget/proxy-suite.js';
import type { BudgetProxy } from '../budget/support.js';

const TOKEN = 'admin-secret-token-0123456789';

/**
 * An empty name in a key's `models` / `providers` matches no request: the key is then
 * refused on every call ("may not use model 'gpt-4o-mini' (allowed: )"). The admin API
 * and the config refuse it, as the CLI does (test/cli/keys-allow-lists.test.ts).
 */
describe('admin API: an empty name in a key allow-list', () => {
  const suite = proxySuite();
  let p: BudgetProxy;
  beforeAll(async () => {
    p = await suite.start({ yaml: `admin: { token: "${TOKEN}" }\n` });
  });
  const admin = (method: string, url: string, body: unknown) =>
    fetch(`${p.proxy.url}${url}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  for (const field of ['models', 'providers'] as const) {
    it(`POST /admin/keys with ${field}: [''] is 400 naming ${field}.0, and no key is created`, async () => {
      const res = await admin('POST', '/admin/keys', { name: `empty-${field}`, [field]: [''] });
      const json = (await res.json()) as { error?: { message: string } };
      expect(res.status).toBe(400);
      expect(json.error?.message).toContain(`${field}.0: an empty name`);
      expect(await p.proxy.store.keys.byName(`empty-${field}`)).toBeUndefined();
    });

    it(`PATCH /admin/keys/<name> with ${field}: ['', …] is 400 and leaves the allow-list as it was`, async () => {
      const name = `patched-${field}`;
      const allowed = field === 'models' ? ['gpt-4o-mini'] : ['openai'];
      expect((await admin('POST', '/admin/keys', { name, [field]: allowed })).status).toBe(201);
      const res = await admin('PATCH', `/admin/keys/${name}`, { [field]: [...allowed, ''] });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error?: { message: string } }).error?.message).toContain(`${field}.1: an empty name`);
      expect((await p.proxy.store.keys.byName(name))?.[field]).toEqual(allowed);
    });
  }
});

describe('config: an empty name in keys.<name>.models', () => {
  it('is a config error naming the entry', () => {
    expect(() => parseConfigText('keys:\n  app: { models: [gpt-4o-mini, ""] }\n', { file: 'x.yaml', env: {} })).toThrow(/x\.yaml:2:\d+: keys\.app\.models\[1\]: an empty name/);
  });
});
