import { beforeAll, describe, expect, it } from 'vitest';
import { proxySuite } from '../budget/proxy-suite.js';
import { addKey, chat, type BudgetProxy } from '../budget/support.js';
import { runCli } from '../support/spawn-cli.js';

const TOKEN = 'admin-secret-token-0123456789';
const YAML = `admin: { token: "${TOKEN}" }
timezone: UTC
keys:
  yaml-key: { budget: { limit_usd: 5, period: month } }
budgets:
  - { name: free-daily, match: { user_tier: free }, per: user_id, limit_usd: 0.0003, period: day }
economics: { price_per_user: { free: 0, pro: 20 } }
`;

describe('admin API', () => {
  const suite = proxySuite();
  let p: BudgetProxy;
  let app = '';

  const admin = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${p.proxy.url}/admin${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    p = await suite.start({ yaml: YAML });
    app = await addKey(p.proxy, 'app');
  });

  it('refuses a missing or wrong token with 401 in the admin error shape', async () => {
    for (const token of [null, 'wrong', `${TOKEN.slice(0, -1)}X`, `${TOKEN}${TOKEN}`, '']) {
      const r = await admin('GET', '/keys', undefined, token);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: { message: expect.stringContaining('admin token'), type: 'authentication_error', code: 'invalid_admin_token' } });
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await admin('GET', '/keys')).status).toBe(200);
  });

  it('creates a key that works at once and shows its secret only in the answer', async () => {
    const r = await admin('POST', '/keys', { name: 'acme', budget: { limit_usd: 0.0004, period: 'day' }, tags: { tenant_id: 't_acme' }, providers: ['openai'] });
    expect(r.status).toBe(201);
    expect(r.json.secret).toMatch(/^mk_[0-9A-Za-z]{32}$/);
    expect(r.json.key).toMatchObject({ name: 'acme', tags: { tenant_id: 't_acme' }, providers: ['openai'], budget: { limit_usd: 0.0004, period: 'day', alert_at: [0.5, 0.8, 1], soft: false }, revoked_at: null });
    expect(r.json.key.prefix).toBe(r.json.secret.slice(0, 7));
    expect((await chat(p.baseUrl, r.json.secret, { maxTokens: 100 })).status).toBe(200);

    const list = await admin('GET', '/keys');
    const listed = list.json.keys.find((k: { name: string }) => k.name === 'acme');
    expect(listed).toMatchObject({ name: 'acme', prefix: r.json.key.prefix });
    expect(JSON.stringify(list.json)).not.toContain(r.json.secret);
    expect(JSON.stringify(list.json)).not.toMatch(/"hash"/);

    expect((await admin('POST', '/keys', { name: 'acme' })).status).toBe(409);
    const bad = await admin('POST', '/keys', { name: 'no spaces', budget: { limit_usd: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_body' });
    expect(bad.json.error.message).toContain('name');
    expect(bad.json.error.message).toContain('budget.limit_usd');
    expect((await admin('POST', '/keys', '{"name":')).json.error.code).toBe('invalid_json');
  });

  it('checks key tags as the config does: numbers and booleans stored as text, bad keys, long values and control characters refused', async () => {
    const ok = await admin('POST', '/keys', { name: 'tagged', tags: { tier: 2, beta: true, 'team.name': 'x' }, models: ['gpt-4o-mini'] });
    expect(ok.status).toBe(201);
    expect(ok.json.key).toMatchObject({ tags: { tier: '2', beta: 'true', 'team.name': 'x' }, models: ['gpt-4o-mini'] });
    const badKey = await admin('POST', '/keys', { name: 'tagged2', tags: { 'has space': 'x' } });
    expect(badKey.status).toBe(400);
    expect(badKey.json.error.message).toContain('tags.has space: invalid tag key');
    const long = await admin('PATCH', '/keys/tagged', { tags: { tier: 'x'.repeat(257) } });
    expect(long.status).toBe(400);
    expect(long.json.error.message).toContain('tags.tier: tag value longer than 256 characters');
    const control = await admin('PATCH', '/keys/tagged', { tags: { feature: 'sum\r\nforged' } });
    expect(control.status).toBe(400);
    expect(control.json.error.message).toContain('tags.feature: tag value has a control character (U+000D at position 3); control characters (U+0000-U+001F, U+007F-U+009F) are not allowed');
    const notList = await admin('PATCH', '/keys/tagged', { providers: 'openai' });
    expect(notList.status).toBe(400);
    expect(notList.json.error.message).toContain('providers');
  });

  it('PATCH changes the budget for the next request; a YAML budget wins and is reported', async () => {
    const created = await admin('POST', '/keys', { name: 'patchme' });
    const secret = created.json.secret as string;
    expect((await chat(p.baseUrl, secret)).status).toBe(200);
    const r = await admin('PATCH', '/keys/patchme', { budget: { limit_usd: 0 } });
    expect(r.status).toBe(200);
    expect(r.json.key.budget).toMatchObject({ limit_usd: 0, period: 'month' });
    const refused = await chat(p.baseUrl, secret);
    expect(refused.status).toBe(429);
    expect(refused.json.error.budget.name).toBe('patchme');
    const raised = await admin('PATCH', '/keys/patchme', { budget: { limit_usd: 1, soft: true }, tags: { feature: 'x' } });
    expect(raised.json.key).toMatchObject({ budget: { limit_usd: 1, soft: true }, tags: { feature: 'x' } });
    expect((await chat(p.baseUrl, secret)).status).toBe(200);

    await admin('POST', '/keys', { name: 'yaml-key' });
    const yaml = await admin('PATCH', '/keys/yaml-key', { budget: { limit_usd: 1 } });
    expect(yaml.json.warnings).toEqual(['keys.yaml-key.budget in the config overrides the stored budget']);
    expect((await admin('PATCH', '/keys/nobody', { tags: {} })).status).toBe(404);
    expect((await admin('PATCH', '/keys/patchme', { budget: { limit: 1 } })).status).toBe(400);
  });

  // A trial: GET /admin/keys showed "budget": null for a key whose budget the config sets,
  // where `keys list` showed $5.00/month (config). Each key carries what serve enforces.
  it('GET /admin/keys shows the budget serve enforces, with its source, as keys list --json does', async () => {
    const listed = await admin('GET', '/keys');
    const app = (listed.json.keys as Array<Record<string, any>>).find((k) => k.name === 'app')!;
    expect(app.enforced).toEqual({ tags: app.tags, providers: [], models: [], budget: app.budget, from_config: [] });
    const declared = (await admin('GET', '/keys')).json.keys.find((k: Record<string, unknown>) => k.name === 'yaml-key');
    if (declared === undefined) await admin('POST', '/keys', { name: 'yaml-key' });
    const yamlKey = (await admin('GET', '/keys')).json.keys.find((k: Record<string, unknown>) => k.name === 'yaml-key');
    expect(yamlKey.enforced).toMatchObject({ budget: { limit_usd: 5, period: 'month' }, from_config: ['budget'] });
  });

  it('DELETE revokes for the next request', async () => {
    const created = await admin('POST', '/keys', { name: 'short-lived' });
    expect((await chat(p.baseUrl, created.json.secret)).status).toBe(200);
    const r = await admin('DELETE', '/keys/short-lived');
    expect(r.status).toBe(200);
    expect(r.json.key.revoked_at).toMatch(/Z$/);
    expect((await chat(p.baseUrl, created.json.secret)).status).toBe(401);
    expect((await admin('DELETE', '/keys/short-lived')).status).toBe(404);
    expect((await admin('GET', '/keys?all=1')).json.keys.some((k: { name: string; revoked_at: string | null }) => k.name === 'short-lived' && k.revoked_at !== null)).toBe(true);
  });

  it('lists every budget instance and resets one, with an audit record', async () => {
    for (let i = 0; i < 20; i++) if ((await chat(p.baseUrl, app, { tags: { user_tier: 'free', user_id: 'u9' }, maxTokens: 300, content: `q${i}` })).status === 429) break;
    const list = await admin('GET', '/budgets');
    expect(list.status).toBe(200);
    const u9 = list.json.budgets.find((b: { name: string; tag_value: string }) => b.name === 'free-daily' && b.tag_value === 'u9');
    expect(u9).toMatchObject({ kind: 'tag', per: 'user_id', limit_usd: 0.0003, period: 'day', soft: false, blocked: true, reserved_usd: 0, in_flight: 0 });
    expect(u9.spent_usd).toBeGreaterThanOrEqual(0.0003);
    expect(u9.reset_at).toMatch(/T00:00:00\.000Z$/);
    expect(list.json.budgets.find((b: { name: string }) => b.name === 'acme')).toMatchObject({ kind: 'key', tag_value: null, limit_usd: 0.0004, period: 'day' });
    expect((await admin('GET', '/budgets?kind=key')).json.budgets.every((b: { kind: string }) => b.kind === 'key')).toBe(true);

    const reset = await admin('POST', '/budgets/free-daily/reset', { tag_value: 'u9' });
    expect(reset.status).toBe(200);
    expect(reset.json.reset).toMatchObject({ name: 'free-daily', kind: 'tag', tag_value: 'u9', all_values: false, period: 'day' });
    expect(reset.json.reset.cleared_usd).toBe(u9.spent_usd);
    // When it was cleared: not `reset_at`, which everywhere else is when the period ends (u9.reset_at, the 429's reset_at).
    expect(reset.json.reset).not.toHaveProperty('reset_at');
    expect(Math.abs(Date.parse(reset.json.reset.cleared_at) - Date.now())).toBeLessThan(60_000);
    expect((await chat(p.baseUrl, app, { tags: { user_tier: 'free', user_id: 'u9' }, maxTokens: 300 })).status).toBe(200);
    expect((await admin('POST', '/budgets/nope/reset')).status).toBe(404);
    const wrongMethod = await admin('GET', '/budgets/free-daily/reset');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect(await p.proxy.store.history.list({ keyName: 'free-daily' })).toMatchObject([{ actor: 'admin', action: 'budget_reset', details: { kind: 'tag', tag_value: 'u9', period: 'day' } }]);
  });

  it('refuses a reset with a query string (?tag_value=u7 was taken as no body: every value reset), naming the body field; nothing is reset', async () => {
    const spentOf = async (user: string) =>
      (await admin('GET', '/budgets?name=free-daily')).json.budgets.find((b: { tag_value: string }) => b.tag_value === user)?.spent_usd as number | undefined;
    for (const user of ['u7', 'u8']) expect((await chat(p.baseUrl, app, { tags: { user_tier: 'free', user_id: user }, maxTokens: 100, content: `for ${user}` })).status).toBe(200);
    const before = { u7: await spentOf('u7'), u8: await spentOf('u8') };
    expect(before.u7).toBeGreaterThan(0);
    expect(before.u8).toBeGreaterThan(0);

    const r = await admin('POST', '/budgets/free-daily/reset?tag_value=u7');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_query' });
    expect(r.json.error.message).toBe(
      'POST /admin/budgets/free-daily/reset takes no query string (got tag_value): name the instance in the JSON body, e.g. {"tag_value":"u7"}; a reset without a body clears every value of the budget.',
    );
    expect({ u7: await spentOf('u7'), u8: await spentOf('u8') }).toEqual(before);
  });

  it('GET /admin/spend answers what `report --format json` prints, plus unit economics on request', async () => {
    const range = 'since=2020-01-01&until=2099-12-31';
    const r = await admin('GET', `/spend?by=key&${range}`);
    expect(r.status).toBe(200);
    const cli = await runCli('node', ['report', '--by', 'key', '--since', '2020-01-01', '--until', '2099-12-31', '--format', 'json', '--db', suite.dbPath], { cwd: suite.dir });
    expect(cli.code).toBe(0);
    // An until after now is read as now (report/window.ts): the two ends are each one's own now, the rest is the same.
    const { until: apiUntil, ...api } = r.json;
    const { until: cliUntil, ...printed } = JSON.parse(cli.stdout);
    expect(api).toEqual(printed);
    for (const until of [apiUntil, cliUntil]) expect(Date.parse(until)).toBeLessThanOrEqual(Date.now());
    expect(r.json.rows.length).toBeGreaterThan(0);
    // Calls that did not reach the provider (budget refusals here) are counted apart, per outcome.
    const excluded = (r.json.excluded_calls as Array<{ outcome: string; calls: number }>).reduce((a, e) => a + e.calls, 0);
    expect(r.json.excluded_calls).toContainEqual({ outcome: 'refused', calls: expect.any(Number) });
    expect(r.json.total.calls + excluded).toBe(Number(p.driver.prepare('SELECT count(*) AS n FROM calls').get<{ n: number }>()!.n));

    const ue = await admin('GET', `/spend?by=user_tier&${range}&unit_economics=1`);
    expect(ue.json.unit_economics).toMatchObject({ active_users: expect.any(Number) });
    const bad = (await admin('GET', '/spend?since=yesterdayish')).json.error as { code: string; message: string };
    expect(bad).toMatchObject({ code: 'invalid_query' });
    // The query parameter, not the CLI flag.
    expect(bad.message).toMatch(/^since "yesterdayish" is not a time\./);
    expect(bad.message).not.toContain('--since');
  });

  it('answers 404 for unknown routes and 405 for wrong methods', async () => {
    expect((await admin('GET', '/nothing')).status).toBe(404);
    const put = await admin('PUT', '/keys', {});
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    expect(put.json.error.code).toBe('method_not_allowed');
  });

  it('writes an audit trail of every admin change', async () => {
    const trail = (await p.proxy.store.history.list()).filter((e) => e.actor === 'admin').map((e) => `${e.action}:${e.keyName}`);
    expect(trail).toEqual(expect.arrayContaining(['create:acme', 'create:patchme', 'set:patchme', 'revoke:short-lived', 'budget_reset:free-daily']));
    const set = (await p.proxy.store.history.list({ keyName: 'patchme' })).find((e) => e.action === 'set')!;
    expect(set.details).toEqual({ changes: { budget: { from: null, to: { limit_usd: 0, period: 'month', alert_at: [0.5, 0.8, 1], soft: false } } } });
  });
});

describe('admin API without a token', () => {
  const suite = proxySuite();
  it('is off: every /admin path answers 404, whatever the Authorization header', async () => {
    const p = await suite.start();
    for (const auth of [undefined, 'Bearer ', 'Bearer anything']) {
      const res = await fetch(`${p.proxy.url}/admin/keys`, { headers: auth === undefined ? {} : { authorization: auth } });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('admin API is disabled');
    }
  });
});
