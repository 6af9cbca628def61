import type { AdminHandler } from '../proxy/deps.js';
import type { IncomingCall, OutgoingResponse } from '../proxy/types.js';
import { listBudgets, resetBudget } from './budgets-routes.js';
import type { AdminDeps } from './deps.js';
import { AdminError, errorJson, json, notFound, readJsonObject } from './http.js';
import { createKey, listKeys, patchKey, revokeKey } from './keys-routes.js';
import { spend } from './spend-route.js';
import { bearerToken, tokenMatches } from './token.js';

type Route = (call: IncomingCall, query: URLSearchParams) => Promise<OutgoingResponse> | OutgoingResponse;

/** Method → handler of one path, or a 405 when the method is not among them. */
function methods(table: Record<string, Route>): Route {
  return (call, query) => {
    const route = table[call.method];
    if (route) return route(call, query);
    const allow = Object.keys(table).join(', ');
    throw new AdminError(405, 'invalid_request_error', 'method_not_allowed', `${call.method} is not allowed here; use ${allow}.`, { allow });
  };
}

/** `/keys/<name>` → `name` (percent-decoded), else null. */
function segment(path: string, prefix: string, suffix = ''): string | null {
  if (!path.startsWith(prefix) || !path.endsWith(suffix)) return null;
  const raw = path.slice(prefix.length, path.length - suffix.length);
  if (raw === '' || raw.includes('/')) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * The admin API (SPEC §6) under `/admin`: JSON in and out, `Authorization: Bearer <admin
 * token>` compared in constant time. Key changes are audited (actor 'admin') and reloaded
 * into the proxy's key table at once, so they apply to the next request.
 *
 *   GET    /admin/keys[?all=1]            POST /admin/keys
 *   PATCH  /admin/keys/<name>             DELETE /admin/keys/<name>
 *   GET    /admin/budgets                 POST /admin/budgets/<name>/reset
 *   GET    /admin/spend?by=…&since=…[&unit_economics=1]
 */
export function createAdminHandler(deps: AdminDeps): AdminHandler {
  const route = (path: string): Route | null => {
    const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    if (p === '/keys') return methods({ GET: (_c, q) => listKeys(deps, q), POST: async (c) => createKey(deps, await readJsonObject(c)) });
    if (p === '/budgets') return methods({ GET: (_c, q) => listBudgets(deps, q) });
    if (p === '/spend') return methods({ GET: (_c, q) => spend(deps, q) });
    const key = segment(p, '/keys/');
    if (key !== null) return methods({ PATCH: async (c) => patchKey(deps, key, await readJsonObject(c)), DELETE: () => revokeKey(deps, key) });
    const budget = segment(p, '/budgets/', '/reset');
    if (budget !== null) return methods({ POST: async (c, q) => resetBudget(deps, budget, await readJsonObject(c), q) });
    return null;
  };

  return async (call, path, query) => {
    try {
      const token = bearerToken(call.headers['authorization']);
      if (token === null || !tokenMatches(token, deps.token)) {
        throw new AdminError(401, 'authentication_error', 'invalid_admin_token', 'Missing or wrong admin token: send Authorization: Bearer <admin.token>.', { 'www-authenticate': 'Bearer' });
      }
      const handler = route(path);
      if (handler === null) throw notFound('unknown_route', `No admin route ${call.method} /admin${path}. See GET /admin/keys, /admin/budgets, /admin/spend.`);
      return await handler(call, new URLSearchParams(query));
    } catch (error) {
      if (error instanceof AdminError) return errorJson(error);
      deps.log.error('admin request failed', { path, error: error instanceof Error ? error.message : String(error) });
      return json(500, { error: { message: 'Internal error in the admin API; see the proxy log.', type: 'server_error', code: 'internal' } });
    }
  };
}
