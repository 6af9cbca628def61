import type { NanoUsd } from '../lib/money.js';
import type { Decision } from './policy.js';

/**
 * The rule of budgets shared by several replicas (issue #16 point 4): each replica admits
 * calls against a LEASE of headroom taken from a shared counter (one row per budget
 * instance and period in PostgreSQL; store/budget-leases.ts applies `grantLease` there,
 * atomically, under the row's lock). Pure and allocation-free; amounts are non-negative
 * integer nano-USD of the budget's current period.
 *
 * Shared row:  `spent` (settled cost the replicas reported, at least the spend a replica's
 *              call log held when it joined: `meetSeed`), and per replica `ℓ_i`, the
 *              headroom leased to it (expiring unless renewed: a dead replica's lease
 *              returns to the row after the lease TTL).
 * Replica i:   `lease` (its ℓ_i as last granted), `used` (cost settled here and not yet
 *              reported), `reserved` (estimates of its calls in flight).
 *
 * Local admission (`admitOnLease`, on the request path, no database):
 * 1. known spend (`spent` at the last sync + `used`) >= limit → block (the cap is spent:
 *    the known spend never exceeds the true spend, so such a refusal is always true; the
 *    one exception, a seed read while another replica's spend was unreported: `meetSeed`);
 * 2. lease valid and `used + reserved + estimate <= lease` → allow;
 * 3. otherwise → wait: the replica asks the row for more (a sync) and decides again when
 *    the answer comes, when a call settles, or when another replica frees headroom.
 *
 * Sync (one atomic statement per budget, `grantLease`): the replica reports `used` as
 * `reported`, and asks for a lease of at least `need` (its calls in flight plus the head
 * waiter's estimate; 0 when nothing waits) and at most `want` (need plus a chunk of the
 * remaining headroom, `leaseChunk`; just `need` when the cap is near or others wait). The
 * row adds `reported` to `spent` and subtracts it from ℓ_i, then:
 *   - spent >= limit                        → ℓ_i = keep                      (`spent`)
 *   - need <= max(keep, room)               → ℓ_i = max(keep, min(want, max(keep, room)))  (`granted`)
 *   - nobody else holds a lease, nothing is in flight here, need > 0
 *                                           → ℓ_i = need                      (`overdraft`)
 *   - otherwise                             → ℓ_i = keep                      (`short`)
 * where room = limit − spent − Σ_{j≠i} ℓ_j and keep = min(ℓ_i, floor): `floor` is what
 * the replica may still be using while the sync is on the wire (syncRequest caps its local
 * lease to `floor` plus `reported` until the answer), so a lease never shrinks under calls
 * it admitted. `short` returns everything above `floor` (no partial leases are held while
 * waiting, so two waiting replicas cannot deadlock each other) and marks the row
 * contended: the others then give back what their calls in flight do not need.
 *
 * Invariant (the SPEC §5 guarantee across replicas). If every call's real cost is at most
 * its estimate, and no replica dies or is cut off holding a lease, the period's final
 * spend S obeys   S < limit + r*   (r* the real cost of one call), for any interleaving
 * of admissions, settles and syncs on any number of replicas.
 * Proof sketch. (a) Exposure: for each replica, used + reserved <= ℓ_i at all times: an
 * admission keeps it (rule 2), a settle swaps an estimate for a smaller cost, a report
 * lowers `used` and ℓ_i by the same amount, and a sync never leaves ℓ_i below what is in
 * use (keep >= in use, since the local lease was capped at floor + reported while the sync
 * was on the wire). (b) Outside overdrafts the row keeps spent + Σ ℓ_i <= limit: a report
 * moves an amount from ℓ_i to spent, `granted` raises ℓ_i only up to the room, keep only
 * lowers. With (a), every call admitted is covered, so S <= spent + Σ(used + reserved) <=
 * limit. (c) An overdraft is granted only with no lease anywhere else and nothing in
 * flight here, after this replica reported its `used`: nothing is in flight anywhere and
 * every settled cost is in spent < limit; exactly one call's estimate is leased
 * (ℓ_i = need = its estimate) and, while it is out, room < 0, so nobody gets anything
 * (`granted` needs need <= keep there, i.e. only calls already covered). So that one call
 * is the whole exposure: S <= spent + r_last < limit + r_last — rule 2 of policy.ts,
 * across replicas.
 * Refusals. A call is refused for the budget only by rule 1 (a true one), or answered
 * `budget_busy` when its wait runs out. No call waits for ever while the cap has room
 * for it with nothing in flight anywhere: once every call in flight has settled and
 * been reported, the replicas holding idle leases give them back (contention, or the
 * cap near: `leaseChunk` then grants single calls and each settle returns its lease),
 * and the next sync of the waiting replica is `granted` (it fits the room) or
 * `overdraft` (it does not, but nothing is in flight anywhere).
 *
 * A replica that dies holding a lease: its ℓ_i stops being renewed and returns to the
 * row's room once it expires (lease TTL, renewed by a heartbeat); the cost of its calls
 * settled and not reported (at most one heartbeat of spend far from the cap, one call
 * near it) and of its calls in flight is missing from `spent`, which is the only way S
 * can exceed the bound above. A replica cut off from the database stops admitting on
 * its lease before the row can expire it (`LeaseTimes`), so only its calls in flight at
 * that moment are uncovered.
 */

/** What the local admission reads. */
export interface LeaseView {
  limitNano: NanoUsd;
  /** Spend known here: the row's `spent` at the last sync plus `usedNano`. */
  knownSpentNano: NanoUsd;
  /** ℓ_i: headroom leased to this replica (0 while the lease is not valid). */
  leaseNano: NanoUsd;
  /** Cost settled here and not yet reported. */
  usedNano: NanoUsd;
  /** Estimates of this replica's calls in flight. */
  reservedNano: NanoUsd;
}

/** Rules 1-3 above: `wait` means "ask the shared row for more lease". */
export function admitOnLease(v: LeaseView, estimateNano: NanoUsd): Decision {
  if (v.knownSpentNano >= v.limitNano) return 'block';
  return v.usedNano + v.reservedNano + estimateNano <= v.leaseNano ? 'allow' : 'wait';
}

/** What a replica sends in one sync. All amounts absolute, after `reportedNano` is moved to spent. */
export interface LeaseRequest {
  /** Cost settled since the last report (`used` when the sync was sent). */
  reportedNano: NanoUsd;
  /** The least lease the replica keeps whatever the answer (what it may be using meanwhile). */
  floorNano: NanoUsd;
  /** The least lease that lets it admit its head waiter (0: nothing waits). */
  needNano: NanoUsd;
  /** The lease it would like (>= need). */
  wantNano: NanoUsd;
  /** Estimates of its calls in flight when the sync was sent. */
  inFlightNano: NanoUsd;
}

/** The shared row as `grantLease` reads it, before the report is applied. */
export interface LeaseRow {
  limitNano: NanoUsd;
  spentNano: NanoUsd;
  /** ℓ_i before the report. */
  heldNano: NanoUsd;
  /** Σ ℓ_j of the other replicas' unexpired leases. */
  othersNano: NanoUsd;
}

export type GrantStatus = 'granted' | 'overdraft' | 'short' | 'spent';

export interface Grant {
  status: GrantStatus;
  /** The replica's new ℓ_i. */
  leaseNano: NanoUsd;
  /** The row's spent after the report. */
  spentNano: NanoUsd;
}

/** The row's rule (see the module comment); store/budget-leases.ts runs the same in SQL. */
export function grantLease(row: LeaseRow, req: LeaseRequest): Grant {
  const spent = row.spentNano + req.reportedNano;
  const held = Math.max(0, row.heldNano - req.reportedNano);
  const keep = Math.min(held, req.floorNano);
  if (spent >= row.limitNano) return { status: 'spent', leaseNano: keep, spentNano: spent };
  const grantable = Math.max(keep, row.limitNano - spent - row.othersNano);
  if (req.needNano <= grantable) {
    return { status: 'granted', leaseNano: Math.max(keep, Math.min(Math.max(req.wantNano, req.needNano), grantable)), spentNano: spent };
  }
  if (row.othersNano === 0 && req.inFlightNano === 0 && req.needNano > 0) return { status: 'overdraft', leaseNano: req.needNano, spentNano: spent };
  return { status: 'short', leaseNano: keep, spentNano: spent };
}

/**
 * Admin resets of a shared row (store/budget-leases.ts; the same in SQL). A reset clears
 * the row's spend and stamps it `resetAt` (ms of the reset, 0: none this period); every
 * sync carries the newest reset its replica knows. A sync that knows an OLDER reset than
 * the row reports spend made before the row's reset as far as its replica knew (settled
 * before it learned of it): its report (and its reprices) is not counted. A sync that
 * knows a NEWER reset than the row (the resetting replica's sync ran before its reset
 * statement) clears the row first, as that statement would, which then finds the row
 * already at its reset and changes nothing. So a reset and the syncs around it give the
 * same row in any order on PostgreSQL. Replica side: lease-share.ts (`resetAt`).
 * @returns the row's spend before the report, the report counted, and the row's reset after the sync.
 */
export function meetReset(row: { spentNano: NanoUsd; resetAt: number }, req: { resetAt: number; reportedNano: NanoUsd }): { spentNano: NanoUsd; reportedNano: NanoUsd; resetAt: number } {
  if (req.resetAt < row.resetAt) return { spentNano: row.spentNano, reportedNano: 0, resetAt: row.resetAt };
  if (req.resetAt > row.resetAt) return { spentNano: 0, reportedNano: req.reportedNano, resetAt: req.resetAt };
  return { spentNano: row.spentNano, reportedNano: req.reportedNano, resetAt: row.resetAt };
}

/**
 * A replica's seed on a shared row (store/budget-leases.ts; the same in SQL, after
 * `meetReset`). A share's first sync of a period sends its seed: the period's spend in its
 * call log after the newest reset it knows (lease-share.ts `send`). A new row starts
 * from it; an existing row takes the larger of its spend and the seed, so spend that the
 * call log holds and no replica reported comes back (a key budget removed and re-added:
 * the calls made meanwhile were recorded, never reported; a replica whose last write-back
 * failed). A seed from before the row's reset (`req.resetAt` older: it may hold spend the
 * reset cleared) lifts nothing. Never lowers the row.
 * No double count: both amounts (nano-USD) sum calls of the same period after the same
 * reset (the row's: those reported; the seed's: those recorded), and the larger of two
 * sums over sets of calls never exceeds the sum over their union: a call the row holds
 * does not count twice (`resetAt` in ms, 0: none). Left: a
 * call recorded but not yet reported when the seed was read (another share's last
 * heartbeat of spend, at most its lease: another replica's, or this replica's share of the
 * budget before it was removed) is reported after the lift: it then counts twice in the
 * row, which errs on the refusing side by at most that much.
 * @param row the row after `meetReset` (its spend and reset).
 * @returns the row's spend before the report.
 */
export function meetSeed(row: { spentNano: NanoUsd; resetAt: number }, req: { resetAt: number; seedNano: NanoUsd }): NanoUsd {
  return req.resetAt >= row.resetAt ? Math.max(row.spentNano, req.seedNano) : row.spentNano;
}

/** Share of the remaining headroom one replica takes at a time, per replica holding a lease: 1/4. */
export const LEASE_CHUNK_DIVISOR = 4;

/**
 * The headroom a replica asks for beyond its needs when the cap is far: a quarter of
 * the remaining room per replica holding a lease, so N replicas together hold at most
 * about a quarter of it, and the chunks shrink as spend nears the cap.
 */
export function leaseChunk(limitNano: NanoUsd, spentNano: NanoUsd, holders: number): NanoUsd {
  const remaining = limitNano - spentNano;
  return remaining <= 0 ? 0 : Math.floor(remaining / (LEASE_CHUNK_DIVISOR * Math.max(1, holders)));
}

/** A replica's state when it sends a sync. */
export interface LocalLease {
  limitNano: NanoUsd;
  /** The row's spent at the last sync. */
  rowSpentNano: NanoUsd;
  leaseNano: NanoUsd;
  usedNano: NanoUsd;
  reservedNano: NanoUsd;
  /** The head waiter's estimate (0 when none waits). */
  headNano: NanoUsd;
  /** Replicas holding a lease at the last sync (this one included). */
  holders: number;
  /** Another replica waited for headroom at the last sync. */
  contended: boolean;
  /** Largest estimate admitted here lately: the cap is "near" when a chunk is smaller than a few of these. */
  largestNano: NanoUsd;
  /** Callers waiting here for this budget (the head included); 0 when none. */
  waiting: number;
}

/** A chunk below this many of the largest recent estimates means the cap is near: single-call grants. */
export const NEAR_CAP_CALLS = 4;

/** True when the replica should lease single calls only (and give back each at its settle). */
export function singleCalls(l: LocalLease): boolean {
  return l.contended || leaseChunk(l.limitNano, l.rowSpentNano + l.usedNano, l.holders) < NEAR_CAP_CALLS * Math.max(1, l.largestNano);
}

/**
 * The sync a replica sends, and the lease it may use locally until the answer comes
 * (`localCapNano`, in the same terms as its `leaseNano`: before the report). `release`
 * gives back what the calls in flight do not need. A sync with a head waiter, or with
 * the cap near, keeps only what covers the calls in flight (no partial lease is held
 * while waiting; no new call is admitted here until the answer). Otherwise (refill,
 * renewal far from the cap) the replica keeps its whole lease and goes on admitting.
 */
export function syncRequest(l: LocalLease, release = false): { request: LeaseRequest; localCapNano: NanoUsd } {
  const reported = l.usedNano;
  const need = l.headNano > 0 ? l.reservedNano + l.headNano : 0;
  const single = release || singleCalls(l);
  const base = Math.max(need, l.reservedNano);
  // Near the cap: one call's estimate for each caller waiting here (single-call grants), nothing beyond.
  const want = single ? base + l.headNano * Math.max(0, l.waiting - 1) : base + Math.max(l.headNano, leaseChunk(l.limitNano, l.rowSpentNano + reported, l.holders));
  const floor = need > 0 || single ? l.reservedNano : Math.max(0, l.leaseNano - reported);
  return {
    request: { reportedNano: reported, floorNano: floor, needNano: need, wantNano: want, inFlightNano: l.reservedNano },
    localCapNano: Math.min(l.leaseNano, floor + reported),
  };
}
