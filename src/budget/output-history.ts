const DAY_MS = 86_400_000;

/** The largest output of one (key, model) on one UTC day, e.g. from the store at start. */
export interface OutputMaximum {
  keyName: string;
  /** The model as the client asked for it (what reservation estimates look up). */
  model: string;
  /** UTC day number: floor(ms since the epoch / 86 400 000). */
  day: number;
  /** Largest reported output tokens (reasoning included) of that day. */
  maxOutputTokens: number;
}

/** Per (key, model): the largest output of each of the last few days, in a ring of `slots`. */
interface Days {
  day: number[];
  max: number[];
}

/**
 * The largest output of one answer (tokens, reasoning included) each metering key has had
 * from each model over the last 7 days in calls that set no max output (a capped output says
 * nothing about an uncapped one), for reservation estimates of such calls (an `n` > 1 call
 * is estimated at n times it, and teaches its reported output divided by n: gate.ts)
 * (issue #14 point 3; policy.ts explains why the budget invariant still holds). Learned
 * in memory from settled calls and seeded at start from the store (store/read/
 * output-maxima.ts); the request path never waits on a query.
 *
 * The window is whole UTC days: today and the 7 days before it (so always at least 7 × 24 h).
 * Memory: at most `maxEntries` (key, model) pairs (default 20 000; model names come from
 * clients); a new pair beyond that makes the key observed least recently go (all its
 * models), as many keys as it takes. Only that key's next calls without a maximum are then
 * held as a first call is (gate.ts: the model's context window) until it is seen again;
 * clearing the whole table did that to every key at once.
 */
export class OutputHistory {
  private readonly byKey = new Map<string, Map<string, Days>>();
  private entries = 0;
  private readonly slots: number;
  private readonly maxEntries: number;

  constructor(options: { days?: number; maxEntries?: number } = {}) {
    this.slots = (options.days ?? 7) + 1;
    this.maxEntries = options.maxEntries ?? 20_000;
  }

  /** Remembers one settled call's output. Ignores calls without a key or model, and bad counts. */
  observe(keyName: string | null, model: string | null, outputTokens: number, at: number): void {
    if (keyName === null || model === null || !(outputTokens >= 0) || !Number.isFinite(outputTokens)) return;
    const day = Math.floor(at / DAY_MS);
    let models = this.byKey.get(keyName);
    // Map order is recency: the key observed now moves to the end.
    if (models !== undefined) this.byKey.delete(keyName);
    else models = new Map();
    let days = models.get(model);
    if (days === undefined) {
      this.makeRoom();
      // Every other key gone and still full: this key alone names maxEntries models.
      if (this.entries >= this.maxEntries) {
        this.entries -= models.size;
        models.clear();
      }
      days = { day: new Array<number>(this.slots).fill(-1), max: new Array<number>(this.slots).fill(0) };
      models.set(model, days);
      this.entries++;
    }
    this.byKey.set(keyName, models);
    const slot = day % this.slots;
    if (days.day[slot] === day) days.max[slot] = Math.max(days.max[slot]!, outputTokens);
    else if (days.day[slot]! < day) {
      days.day[slot] = day;
      days.max[slot] = outputTokens;
    }
  }

  /** Adds stored maxima (the store's answer at start; same rules as `observe`). */
  seed(rows: Iterable<OutputMaximum>): void {
    for (const r of rows) this.observe(r.keyName, r.model, r.maxOutputTokens, r.day * DAY_MS);
  }

  /** Largest output of `keyName` with `model` within the window ending at `at`; undefined when none was seen. */
  max(keyName: string | null, model: string, at: number): number | undefined {
    if (keyName === null) return undefined;
    const days = this.byKey.get(keyName)?.get(model);
    if (days === undefined) return undefined;
    const today = Math.floor(at / DAY_MS);
    let max: number | undefined;
    for (let i = 0; i < this.slots; i++) {
      const d = days.day[i]!;
      if (d <= today && d > today - this.slots && (max === undefined || days.max[i]! > max)) max = days.max[i]!;
    }
    return max;
  }

  /** Earliest time (ms) whose calls `max` can still use at `at`: where a seed should start reading. */
  windowStart(at: number): number {
    return (Math.floor(at / DAY_MS) - this.slots + 1) * DAY_MS;
  }

  /** Forgets the keys observed least recently until one more pair fits within maxEntries. */
  private makeRoom(): void {
    for (const [key, models] of this.byKey) {
      if (this.entries < this.maxEntries) return;
      this.byKey.delete(key);
      this.entries -= models.size;
    }
  }
}
