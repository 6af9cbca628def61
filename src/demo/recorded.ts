import type { CallRecord } from '../store/types.js';
import type { Tier } from './population.js';

/** What the demo's proxy recorded, counted from its call records (not from the plan). */
export interface RecordedMix {
  /** Call records the proxy produced. */
  calls: number;
  /** Distinct `user_id`, `tenant_id` and `session_id` tag values of those records. */
  users: number;
  tenants: number;
  sessions: number;
  /** `user_tier` values seen, in TIER_ORDER. */
  tiers: Tier[];
  /** Providers the records name, sorted. */
  providers: string[];
}

const TIER_ORDER: readonly Tier[] = ['free', 'pro', 'enterprise'];

/** Counts records as the proxy announces them (`add` each), then `mix()` says what was recorded. */
export function recordTally(): { add(record: Pick<CallRecord, 'provider' | 'tags'>): void; mix(): RecordedMix } {
  let calls = 0;
  const users = new Set<string>();
  const tenants = new Set<string>();
  const sessions = new Set<string>();
  const tiers = new Set<string>();
  const providers = new Set<string>();
  const note = (set: Set<string>, value: string | undefined) => void (value === undefined || set.add(value));
  return {
    add(record) {
      calls++;
      note(users, record.tags.user_id);
      note(tenants, record.tags.tenant_id);
      note(sessions, record.tags.session_id);
      note(tiers, record.tags.user_tier);
      providers.add(record.provider);
    },
    mix: () => ({
      calls,
      users: users.size,
      tenants: tenants.size,
      sessions: sessions.size,
      tiers: TIER_ORDER.filter((t) => tiers.has(t)),
      providers: [...providers].sort(),
    }),
  };
}

/** "Recorded 3 calls from 2 users (free, pro) in 1 tenant, 2 sessions, via openai": counts in words that fit them; no tenant part without tenants. */
export function describeRecorded(m: RecordedMix): string {
  const n = (count: number, one: string, many: string) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
  const tiers = m.tiers.length > 0 ? ` (${m.tiers.join(', ')})` : '';
  const tenants = m.tenants > 0 ? ` in ${n(m.tenants, 'tenant', 'tenants')}` : '';
  const via = m.providers.length > 0 ? `, via ${m.providers.join(', ')}` : '';
  return `Recorded ${n(m.calls, 'call', 'calls')} from ${n(m.users, 'user', 'users')}${tiers}${tenants}, ${n(m.sessions, 'session', 'sessions')}${via}`;
}
