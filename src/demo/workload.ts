import { buildPopulation, type Population, type Tier, type User } from './population.js';
import { createRng, type Rng } from './random.js';

/**
 * The demo's month of traffic, planned up front from the seed (so the same seed gives
 * the same calls whatever the concurrency): user sessions spread over the window, each
 * a sequence of calls of three features. Provider-neutral; requests.ts turns each call
 * into the HTTP request of the provider that serves its feature.
 *
 * The patterns are the ones `tokometer audit` looks for: the summarizer sends ~8k-token
 * documents (a tail of 16–30k) to a large model for short summaries, re-summarizes the
 * same document (identical requests) and retries overloaded calls; the chatbot repeats a
 * 4,000-token system prompt behind a per-call timestamp (so provider caching never
 * hits) and has no max_tokens; free users run longer, summarizer-heavy sessions than
 * paying ones.
 */

export type Feature = 'summarizer' | 'chatbot' | 'autocomplete';
export const FEATURES: readonly Feature[] = ['summarizer', 'chatbot', 'autocomplete'];

/** What a call asks for, sized in tokens; the text itself is derived from the keys. */
export type Intent =
  | { kind: 'summarize'; docKey: string; docTokens: number }
  | { kind: 'chat'; sessionId: string; turn: number; stamp: string; user: string; history: Array<{ key: string; questionTokens: number; answerTokens: number }>; questionKey: string; questionTokens: number; ragTokens: number }
  | { kind: 'embed'; textKey: string; tokens: number }
  | { kind: 'complete'; fileKey: string; callKey: string; contextTokens: number };

export interface PlannedCall {
  /** Simulated time of the call, ms since the epoch. */
  at: number;
  feature: Feature;
  intent: Intent;
  /** Tokens the simulated model writes (capped by the request's max output tokens). */
  outputTokens: number;
  /** Upstream error status the simulated provider answers with instead (e.g. 529 overloaded). */
  fail?: number;
  /** Request tags (X-Metering-Tags); `feature` comes from the key. */
  tags: Record<string, string>;
}

export interface Session {
  id: string;
  user: User;
  /** Calls in time order; a session's calls run one after another. */
  calls: PlannedCall[];
}

export interface Workload {
  population: Population;
  /** Sessions ordered by their first call. */
  sessions: Session[];
  /** Number of planned calls (= the requested count unless the window is too short). */
  calls: number;
}

export interface WorkloadOptions {
  seed: number;
  calls: number;
  /** Simulated window [start, end), ms since the epoch. */
  windowStart: number;
  windowEnd: number;
}

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Calls start this long after the window opens, so `report --since 30d` run a little later still sees them all. */
const START_MARGIN_MS = HOUR;
/** Sessions start at least this long before the window closes (longer than any session lasts). */
const SESSION_TAIL_MS = 6 * HOUR;

/** Mean number of each activity per session, by tier. */
const SESSION_MIX: Readonly<Record<Tier, { autocomplete: number; chatTurns: number; summaries: number }>> = {
  free: { autocomplete: 2, chatTurns: 5.2, summaries: 1.4 },
  pro: { autocomplete: 6.5, chatTurns: 3, summaries: 0.36 },
  enterprise: { autocomplete: 7.5, chatTurns: 2.7, summaries: 0.33 },
};
/** Sessions per month of a tier's users relative to each other: paying users come back more often. */
const TIER_ACTIVITY: Readonly<Record<Tier, number>> = { free: 0.55, pro: 1.3, enterprise: 1.4 };
/** Frequently asked questions shared by all users (embedded again and again). */
const FAQ_COUNT = 30;

/** Plans `calls` calls (fewer only if nothing fits the window) from `seed`. */
export function buildWorkload(o: WorkloadOptions): Workload {
  const population = buildPopulation(createRng(o.seed, 'population'));
  const rng = createRng(o.seed, 'sessions');
  const weights = population.users.map((u) => u.activity * TIER_ACTIVITY[u.tier]);
  const docsByUser = new Map<string, Array<{ key: string; tokens: number }>>();
  const sessions: Session[] = [];
  let planned = 0;
  while (planned < o.calls) {
    const user = population.users[rng.weighted(weights)]!;
    const start = sessionStart(rng, o);
    const session: Session = { id: `s_${String(sessions.length + 1).padStart(5, '0')}`, user, calls: [] };
    planSession(rng, session, start, docsByUser);
    session.calls = session.calls.filter((c) => c.at < o.windowEnd);
    if (session.calls.length === 0) continue;
    if (planned + session.calls.length > o.calls) session.calls.length = o.calls - planned;
    planned += session.calls.length;
    sessions.push(session);
  }
  sessions.sort((a, b) => a.calls[0]!.at - b.calls[0]!.at || a.id.localeCompare(b.id));
  return { population, sessions, calls: planned };
}

/**
 * A session start: weekdays busier than weekends, traffic growing over the month, mostly
 * business hours (UTC). Draws the same random numbers whatever the window, so a seed plans
 * the same sessions at any time; only their dates follow the window.
 */
function sessionStart(rng: Rng, o: WorkloadOptions): number {
  const earliest = o.windowStart + START_MARGIN_MS;
  const latest = o.windowEnd - SESSION_TAIL_MS;
  const days = Math.max(1, Math.ceil((latest - earliest) / DAY));
  const midnight = (d: number) => Math.floor((earliest + d * DAY) / DAY) * DAY;
  const dayWeights = Array.from({ length: days }, (_, d) => {
    const weekday = new Date(midnight(d)).getUTCDay();
    return (weekday === 0 || weekday === 6 ? 0.45 : 1) * (1 + (0.3 * d) / days);
  });
  const day = rng.weighted(dayWeights);
  const hour = rng.chance(0.8) ? Math.min(23.9, Math.max(0, 14.5 + 3 * rng.normal())) : rng.next() * 24;
  let at = Math.floor(midnight(day) + hour * HOUR + rng.next() * 60 * SECOND);
  if (at < earliest) at += DAY;
  if (at > latest) at -= DAY;
  return Math.max(earliest, at);
}

const clamp = (v: number, min: number, max: number) => Math.round(Math.min(max, Math.max(min, v)));
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19) + 'Z';

function planSession(rng: Rng, session: Session, start: number, docsByUser: Map<string, Array<{ key: string; tokens: number }>>): void {
  const user = session.user;
  const mix = SESSION_MIX[user.tier];
  const activities: Feature[] = [
    ...Array<Feature>(rng.poisson(mix.autocomplete)).fill('autocomplete'),
    ...Array<Feature>(rng.poisson(mix.chatTurns)).fill('chatbot'),
    ...Array<Feature>(rng.poisson(mix.summaries)).fill('summarizer'),
  ];
  if (activities.length === 0) activities.push(user.tier === 'free' ? 'chatbot' : 'autocomplete');
  for (let i = activities.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [activities[i], activities[j]] = [activities[j]!, activities[i]!];
  }
  const tags: Record<string, string> = { user_id: user.id, user_tier: user.tier, session_id: session.id, ...(user.tenantId ? { tenant_id: user.tenantId } : {}) };
  const history: Array<{ key: string; questionTokens: number; answerTokens: number }> = [];
  let t = start;
  const add = (call: Omit<PlannedCall, 'tags'>) => session.calls.push({ ...call, tags });

  for (const feature of activities) {
    if (feature === 'autocomplete') {
      t += rng.int(5, 45) * SECOND;
      const fileKey = `${user.id}:file${rng.int(1, 12)}`;
      add({ at: t, feature, intent: { kind: 'complete', fileKey, callKey: `${session.id}:${session.calls.length}`, contextTokens: clamp(7800 + 1400 * rng.normal(), 3000, 14000) }, outputTokens: rng.int(8, 60) });
    } else if (feature === 'chatbot') {
      t += rng.int(20, 150) * SECOND;
      const faq = rng.chance(0.35) ? rng.int(1, FAQ_COUNT) : 0;
      const questionKey = faq ? `faq:${faq}` : `${session.id}:q${history.length}`;
      const questionTokens = faq ? 20 + (faq * 7) % 40 : rng.int(15, 150);
      const rag = rng.chance(0.35);
      if (rag) {
        add({ at: t, feature, intent: { kind: 'embed', textKey: questionKey, tokens: questionTokens }, outputTokens: 0 });
        t += rng.int(200, 900);
      }
      const answerTokens = clamp(rng.logNormal(450, 0.45), 40, 1500);
      const intent: Intent = { kind: 'chat', sessionId: session.id, turn: history.length, stamp: iso(t), user: user.id, history: [...history], questionKey, questionTokens, ragTokens: rag ? rng.int(1500, 2500) : 0 };
      add({ at: t, feature, intent, outputTokens: answerTokens });
      if (rng.chance(0.06)) {
        t += rng.int(8, 20) * SECOND;
        add({ at: t, feature, intent, outputTokens: answerTokens });
      }
      history.push({ key: questionKey, questionTokens, answerTokens });
    } else {
      t += rng.int(30, 300) * SECOND;
      const mine = docsByUser.get(user.id) ?? [];
      const repeat = mine.length > 0 && rng.chance(user.tier === 'free' ? 0.15 : 0.2);
      const doc = repeat ? rng.pick(mine) : { key: `${user.id}:doc${mine.length + 1}`, tokens: rng.chance(0.18) ? rng.int(18_000, 34_000) : clamp(rng.logNormal(8200, 0.15), 5000, 14_000) };
      if (!repeat) docsByUser.set(user.id, [...mine, doc]);
      const intent: Intent = { kind: 'summarize', docKey: doc.key, docTokens: doc.tokens };
      const outputTokens = clamp(rng.logNormal(260, 0.3), 100, 520);
      // Overloaded calls are retried with the identical request, sometimes more than once.
      let fails = rng.chance(0.025) ? (rng.chance(0.35) ? 2 : 1) : 0;
      while (fails-- > 0) {
        add({ at: t, feature, intent, outputTokens, fail: 529 });
        t += rng.int(2, 5) * SECOND;
      }
      add({ at: t, feature, intent, outputTokens });
    }
  }
}
