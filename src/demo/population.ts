import type { Rng } from './random.js';

/**
 * Who uses the demo's product: twenty tenants (companies on the pro or enterprise plan)
 * with their seats, plus individual free users without a tenant.
 */

export type Tier = 'free' | 'pro' | 'enterprise';

/** Monthly list price per seat, USD (what `economics.price_per_user` says in the demo config). */
export const TIER_PRICE_USD: Readonly<Record<Tier, number>> = { free: 0, pro: 29, enterprise: 99 };

export interface Tenant {
  /** `tenant_id` tag value, e.g. `t_acme`. */
  id: string;
  tier: Exclude<Tier, 'free'>;
  seats: number;
}

export interface User {
  /** `user_id` tag value, e.g. `u_0042`. */
  id: string;
  tier: Tier;
  /** null for free users, who belong to no tenant. */
  tenantId: string | null;
  /** Relative activity (sessions per month compared with other users); > 0. */
  activity: number;
}

export interface Population {
  tenants: Tenant[];
  users: User[];
}

const TENANT_NAMES = [
  'acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'tyrell', 'cyberdyne',
  'soylent', 'vandelay', 'piedpiper', 'dunder', 'oscorp', 'aperture', 'massive', 'gringotts', 'nakatomi', 'monarch',
];
/** How many of the twenty tenants are on the enterprise plan. */
const ENTERPRISE_TENANTS = 5;
const FREE_USERS = 140;

/** Twenty tenants (5 enterprise with 10–20 seats, 15 pro with 3–9) and 140 free users: ~300 users. */
export function buildPopulation(rng: Rng): Population {
  const tenants: Tenant[] = TENANT_NAMES.map((name, i) => {
    const tier = i < ENTERPRISE_TENANTS ? 'enterprise' : 'pro';
    return { id: `t_${name}`, tier, seats: tier === 'enterprise' ? rng.int(10, 20) : rng.int(3, 9) };
  });
  const users: User[] = [];
  const add = (tier: Tier, tenantId: string | null) => {
    users.push({ id: `u_${String(users.length + 1).padStart(4, '0')}`, tier, tenantId, activity: rng.logNormal(1, 0.45) });
  };
  for (const tenant of tenants) for (let s = 0; s < tenant.seats; s++) add(tenant.tier, tenant.id);
  for (let i = 0; i < FREE_USERS; i++) add('free', null);
  return { tenants, users };
}
