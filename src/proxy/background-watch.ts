import { CallCancel } from '../lib/cancel.js';
import { monotonicMs } from '../lib/clock.js';
import { parseJsonBytes } from '../providers/json.js';
import type { ProviderRuntime } from '../providers/registry.js';
import type { PendingRead, PendingWork } from '../providers/types.js';
import type { BodyObservation, Failure } from './observation.js';
import type { Logger } from './log.js';
import type { UpstreamClient } from './types.js';
import { errorMessage } from '../lib/errors.js';

/** The part of a call's recorder the watch finishes (CallRecorder). */
export interface PendingCall {
  complete(status: number, seen: BodyObservation, at: number, note?: string | null): void;
  fail(outcome: 'upstream_failed' | 'client_aborted', failure: Failure, at?: number): void;
  /** Records the call estimated, its output at the request's whole allowance: its usage will never be read. */
  completeUnknown(status: number, seen: BodyObservation, at: number, note: string, outcome?: 'ok' | 'client_aborted'): void;
  /** Lets the request body go, keeping what the record needs (the call may wait for hours). */
  summariseBody(): void;
}

/** When the watch reads a pending response. All in ms. */
export interface BackgroundTiming {
  /** Before the first read; each later wait doubles, up to `pollMaxMs` (each ±10 %, so calls started together spread out). */
  pollFirstMs: number;
  pollMaxMs: number;
  /** From the answer: a response still running then is recorded with its estimate. */
  maxWaitMs: number;
}

/** Most calls followed at once; past it a call is recorded at once with its estimate (a bound on memory and on reads). */
export const MAX_FOLLOWED = 10_000;

/** One call whose answer said "queued": what finishing it needs. */
interface Followed {
  id: string;
  call: PendingCall;
  provider: ProviderRuntime;
  work: PendingWork;
  /** Where the work is read (PendingWork.url of the request's own URL). */
  url: string;
  apiKey: string;
  /** The answer's status and observation; the call's latency and TTFB end at `answeredAt` (monotonic ms). */
  status: number;
  seen: BodyObservation;
  answeredAt: number;
  /** Monotonic ms after which the call is recorded with its estimate. */
  deadline: number;
  nextWaitMs: number;
  /** The read under way is the last before the deadline. */
  lastRead: boolean;
  /** Reads in a row that told nothing (logged at the first). */
  failures: number;
  timer: ReturnType<typeof setTimeout> | null;
  /** The read on the wire, if one is. */
  reading: CallCancel | null;
}

/** A read that says nothing of the work's end: try again later, or give up now. */
type Unread = { retry: string } | { giveUp: string };

/**
 * Meters work a provider finishes after answering: OpenAI background responses, whose
 * answer (`status: queued`) carries no usage. Instead of recording such a call at once
 * with an estimate, the handler hands its recorder here; the watch reads the response
 * (`GET …/responses/{id}` with the provider key, as the client's own poll would) until it
 * shows an end, then finishes the call with the usage of that end. Its budget reservation
 * is held until then, so concurrent background calls cannot pass a cap.
 *
 * Invariants: every call handed over is finished exactly once — at its end, or with its
 * estimate (the request's input, its whole output allowance, a note why) when the provider
 * no longer has it or refuses the read, when `maxWaitMs` passes, at `close`, or at once
 * past MAX_FOLLOWED. The replica that answered the call reads it, so several replicas
 * never meter one response twice. After a restart nobody reads the calls `close`
 * estimated (the provider's bill does: `tokometer reconcile`).
 */
export class BackgroundWatch {
  private readonly followed = new Set<Followed>();
  private closed = false;

  constructor(
    private readonly upstream: UpstreamClient,
    private readonly timing: BackgroundTiming,
    private readonly log: Logger,
  ) {}

  /** Calls waiting for their response's end. */
  get size(): number {
    return this.followed.size;
  }

  /**
   * Takes over a call whose 2xx answer named pending work `id` (Observed.pendingId), sent
   * to `requestUrl` and answered at `answeredAt` (monotonic ms) with `status` and `seen`;
   * finishes it when the work ends.
   */
  follow(id: string, call: PendingCall, provider: ProviderRuntime, requestUrl: string, status: number, seen: BodyObservation, answeredAt: number): void {
    const work = provider.adapter.pending;
    if (this.closed || work === undefined || provider.apiKey === null || this.followed.size >= MAX_FOLLOWED) {
      const why = this.closed ? 'tokometer was stopping' : this.followed.size >= MAX_FOLLOWED ? `${MAX_FOLLOWED} background responses were already followed` : `provider '${provider.name}' cannot be read`;
      this.log.warn('a background response is not followed; recorded with an estimate', { provider: provider.name, id, reason: why });
      call.completeUnknown(status, seen, answeredAt, `background response ${id} was not followed (${why}); usage estimated from the request`);
      return;
    }
    call.summariseBody();
    const f: Followed = {
      id, call, provider, work, url: work.url(requestUrl, id), apiKey: provider.apiKey, status, seen, answeredAt,
      deadline: answeredAt + this.timing.maxWaitMs,
      nextWaitMs: Math.min(this.timing.pollFirstMs, this.timing.pollMaxMs),
      lastRead: false,
      failures: 0,
      timer: null,
      reading: null,
    };
    this.followed.add(f);
    this.schedule(f);
  }

  /** Stops reading: every call still followed is recorded now, with its estimate and a note. */
  close(): void {
    this.closed = true;
    for (const f of [...this.followed]) {
      if (f.timer !== null) clearTimeout(f.timer);
      f.reading?.abort(new Error('tokometer is stopping'));
      this.estimate(f, `tokometer stopped before background response ${f.id} ended; usage estimated from the request (the provider may still be running it)`);
    }
  }

  private schedule(f: Followed): void {
    const untilDeadline = f.deadline - monotonicMs();
    const jittered = f.nextWaitMs * (0.9 + 0.2 * Math.random());
    // A wait cut short by the deadline leads to the last read (timers may fire a little early).
    f.lastRead = untilDeadline <= jittered;
    const wait = Math.max(0, Math.min(jittered, untilDeadline));
    f.nextWaitMs = Math.min(f.nextWaitMs * 2, this.timing.pollMaxMs);
    const timer = setTimeout(() => {
      this.poll(f).catch((error: unknown) => this.estimate(f, `background response ${f.id} could not be followed (${errorMessage(error)}); usage estimated from the request`));
    }, wait);
    (timer as { unref?: () => void }).unref?.();
    f.timer = timer;
  }

  private async poll(f: Followed): Promise<void> {
    f.timer = null;
    let read: PendingRead | Unread;
    try {
      read = await this.read(f);
    } catch (error) {
      read = { retry: errorMessage(error) };
    }
    if (!this.followed.has(f)) return; // closed while reading
    if ('giveUp' in read) return this.estimate(f, `background response ${f.id}: ${read.giveUp}; usage estimated from the request`);
    if ('running' in read && !read.running) return this.end(f, read);
    if (f.lastRead || monotonicMs() >= f.deadline) {
      const minutes = Math.round(this.timing.maxWaitMs / 60_000);
      return this.estimate(f, `background response ${f.id} had not ended after ${minutes} min (limits.background_max_wait_ms); usage estimated from the request`);
    }
    if ('retry' in read) {
      if (f.failures++ === 0) this.log.warn('could not read a background response; reading it again later', { provider: f.provider.name, id: f.id, reason: read.retry });
    } else {
      f.failures = 0;
    }
    this.schedule(f);
  }

  /** One GET of the work's state with the provider key. Throws when the connection fails. */
  private async read(f: Followed): Promise<PendingRead | Unread> {
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'identity' };
    f.provider.adapter.applyUpstreamAuth(headers, new URLSearchParams(), f.apiKey);
    const cancel = new CallCancel();
    f.reading = cancel;
    try {
      const res = await this.upstream.request({
        url: f.url,
        method: 'GET',
        headers,
        body: null,
        cancel,
        connectTimeoutMs: f.provider.connectTimeoutMs,
        headersTimeoutMs: f.provider.headersTimeoutMs,
        bodyTimeoutMs: f.provider.idleTimeoutMs,
      });
      const bytes = await res.bytes();
      if (res.status === 200) {
        const json = parseJsonBytes(bytes);
        return json === undefined ? { retry: 'its answer was not JSON' } : f.work.read(json);
      }
      // Gone (404/410) or refused (a rotated key, 401/403): no later read can tell more.
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 409 && res.status !== 429) return { giveUp: `the provider answered its read with HTTP ${res.status}` };
      return { retry: `HTTP ${res.status}` };
    } finally {
      f.reading = null;
    }
  }

  /** The work ended: the call is finished with the usage of its end, its latency still the answer's. */
  private end(f: Followed, read: Extract<PendingRead, { running: false }>): void {
    this.followed.delete(f);
    const seen: BodyObservation = { ...f.seen, observed: read.observed };
    this.finishing(f, () => {
      if (read.end === 'failed') f.call.fail('upstream_failed', { status: f.status, error: read.error ?? `background response ${f.id} failed`, seen }, f.answeredAt);
      else if (read.end === 'cancelled' && read.observed.usage === null) {
        // OpenAI bills what the response generated before the cancel, and never says how much.
        f.call.completeUnknown(f.status, seen, f.answeredAt, `background response ${f.id} was cancelled without usage; usage estimated from the request`, 'client_aborted');
      } else if (read.end === 'cancelled') f.call.fail('client_aborted', { status: f.status, error: `background response ${f.id} was cancelled`, seen }, f.answeredAt);
      else f.call.complete(f.status, seen, f.answeredAt, read.error);
    });
  }

  /** Finishes the call with the estimate from its request (its whole output allowance), noting why. */
  private estimate(f: Followed, note: string): void {
    if (!this.followed.delete(f)) return;
    this.finishing(f, () => {
      this.log.warn('a background response is recorded with an estimate', { provider: f.provider.name, id: f.id, reason: note });
      f.call.completeUnknown(f.status, f.seen, f.answeredAt, note);
    });
  }

  private finishing(f: Followed, finish: () => void): void {
    try {
      finish();
    } catch (error) {
      this.log.error('recording a background response failed', { provider: f.provider.name, id: f.id, reason: errorMessage(error) });
    }
  }
}

