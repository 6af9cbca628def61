import { describe, expect, it } from 'vitest';
import { promptFor } from '../../src/demo/prompts.js';
import { buildWorkload, type PlannedCall, type Workload } from '../../src/demo/workload.js';

const DAY = 86_400_000;
const END = Date.parse('2026-11-20T12:00:00Z');
const plan = (seed: number, end = END, calls = 4000) => buildWorkload({ seed, calls, windowStart: end - 30 * DAY, windowEnd: end });
const allCalls = (w: Workload) => w.sessions.flatMap((s) => s.calls);

/** Everything about a plan except when its calls happen (so sessions in id order, not time order). */
function shape(w: Workload): unknown[] {
  return [...w.sessions].sort((a, b) => a.id.localeCompare(b.id)).map((s) => [s.id, s.user.id, s.calls.map(({ at: _at, intent, ...rest }) => [rest, intent.kind === 'chat' ? { ...intent, stamp: '' } : intent])]);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

describe('demo workload', () => {
  const w = plan(42);
  const calls = allCalls(w);

  it('plans exactly the requested calls inside the window, sessions in time order', () => {
    expect(w.calls).toBe(4000);
    expect(calls).toHaveLength(4000);
    for (const c of calls) {
      expect(c.at).toBeGreaterThanOrEqual(END - 30 * DAY);
      expect(c.at).toBeLessThan(END);
    }
    for (let i = 1; i < w.sessions.length; i++) expect(w.sessions[i]!.calls[0]!.at).toBeGreaterThanOrEqual(w.sessions[i - 1]!.calls[0]!.at);
    for (const s of w.sessions) for (let i = 1; i < s.calls.length; i++) expect(s.calls[i]!.at).toBeGreaterThanOrEqual(s.calls[i - 1]!.at);
  });

  it('plans the same calls for the same seed whenever the window ends, and other calls for another seed', () => {
    expect(shape(plan(42, END + 9 * DAY + 3_600_000))).toEqual(shape(w));
    expect(shape(plan(43))).not.toEqual(shape(w));
  });

  it('has twenty tenants on paid plans, a few hundred users, and free users outside tenants', () => {
    expect(w.population.tenants).toHaveLength(20);
    expect(w.population.users.length).toBeGreaterThanOrEqual(200);
    expect(w.population.users.length).toBeLessThanOrEqual(500);
    for (const u of w.population.users) expect(u.tenantId === null).toBe(u.tier === 'free');
    const active = new Set(w.sessions.map((s) => s.user.id));
    expect(active.size).toBeGreaterThanOrEqual(150);
    for (const s of w.sessions) for (const c of s.calls) expect(c.tags).toMatchObject({ user_id: s.user.id, user_tier: s.user.tier, session_id: s.id });
  });

  it('sends the summarizer ~8k-token documents with a long tail, some of them again, and retries overloaded calls', () => {
    const summaries = calls.filter((c): c is PlannedCall & { intent: { kind: 'summarize' } } => c.intent.kind === 'summarize');
    const sizes = summaries.filter((c) => c.fail === undefined).map((c) => c.intent.docTokens);
    expect(percentile(sizes, 50)).toBeGreaterThan(7000);
    expect(percentile(sizes, 50)).toBeLessThan(10_000);
    expect(percentile(sizes, 95)).toBeGreaterThan(1.5 * percentile(sizes, 50));
    expect(summaries.every((c) => c.outputTokens <= 520)).toBe(true);
    const answered = summaries.filter((c) => c.fail === undefined);
    expect(new Set(answered.map((c) => c.intent.docKey)).size).toBeLessThan(answered.length);
    const failed = summaries.filter((c) => c.fail === 529);
    expect(failed.length).toBeGreaterThan(0);
  });

  it('gives the chatbot a timestamp ahead of its long system prompt and no output limit', () => {
    const chats = calls.filter((c) => c.intent.kind === 'chat');
    expect(chats.length).toBeGreaterThan(calls.length / 5);
    const prompt = promptFor(chats[0]!.intent as Parameters<typeof promptFor>[0]);
    expect(prompt.system).toMatch(/^Current time: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\./);
    expect(prompt.system.length / 4).toBeGreaterThan(4000);
    expect(prompt).toMatchObject({ maxTokens: null, stream: true });
    expect(calls.some((c) => c.intent.kind === 'embed')).toBe(true);
  });

  it('plans free sessions heavier on the summarizer than paid ones', () => {
    const perSession = (free: boolean) => {
      const sessions = w.sessions.filter((s) => (s.user.tier === 'free') === free);
      return sessions.reduce((n, s) => n + s.calls.filter((c) => c.feature === 'summarizer').length, 0) / sessions.length;
    };
    expect(perSession(true)).toBeGreaterThan(2 * perSession(false));
  });
});
