/**
 * The back-off of one lease share's requests (lease-share.ts): after a `short` answer or
 * a failed sync, it asks the shared row for no new lease for `retryMs` unless another
 * replica announces headroom first; when the time is up, the share's waiters are decided
 * again. Times are monotonic ms (ShareHost.now). One per share, made with it.
 */
export class SyncBackoff {
  /** No new request before this, unless headroom is announced (`lift`). */
  private until = -Infinity;
  /** Ends the back-off after `retryMs` (unref'd); null when none runs. */
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `ended`: runs when a back-off's time is up (not when it is lifted). */
  constructor(
    private readonly host: { now(): number; readonly retryMs: number },
    private readonly ended: () => void,
  ) {}

  /** True while no new request may be sent. */
  get quiet(): boolean {
    return this.host.now() < this.until;
  }

  /** No new request for `retryMs` from now unless headroom is announced; then `ended` (one timer at a time). */
  start(): void {
    this.until = this.host.now() + this.host.retryMs;
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.until = -Infinity;
      this.ended();
    }, this.host.retryMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Another replica announced headroom: requests may be sent again at once (a running timer still ends it). */
  lift(): void {
    this.until = -Infinity;
  }

  /** Shutdown: stops the timer (`ended` no longer runs). */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
