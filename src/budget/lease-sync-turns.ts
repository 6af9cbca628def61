/** A lease share's sync with its shared row: `sync` reports, renews and asks; `release` reports and gives back what is not in use. */
export type SyncKind = 'sync' | 'release';

/**
 * The turns of one lease share's syncs (lease-share.ts): one at a time per budget, on the
 * wire or scheduled for a later turn of the event loop (settles in one turn make one
 * sync), and at most one follow-up noted meanwhile, which the share sends once the answer
 * was handled (a `sync` outranks a `release`: it reports as well, and asks).
 */
export class SyncTurns {
  /** A sync is on the wire (until `answered`), or scheduled for a later turn. */
  private busy = false;
  /** The sync on the wire or scheduled while `busy` (a follow-up replaces it); settled otherwise. */
  private pending: Promise<void> = Promise.resolve();
  /** The follow-up to send once the sync on the wire answered. */
  private next: false | SyncKind = false;

  /** `start`: the share's sync of `kind` (it comes back here through `follow` and `run`). */
  constructor(private readonly start: (kind: SyncKind) => Promise<void>) {}

  /** True while a sync is on the wire or scheduled. */
  get active(): boolean {
    return this.busy;
  }

  /** While a sync is on the wire or scheduled: notes a follow-up of `kind`. @returns whether one was (then nothing else is to be done now). */
  follow(kind: SyncKind): boolean {
    if (!this.busy) return false;
    if (this.next !== 'sync') this.next = kind;
    return true;
  }

  /** A sync of `kind` on a later turn (settles in one turn make one); a follow-up while one is on the wire or scheduled. */
  soon(kind: SyncKind): void {
    if (this.follow(kind)) return;
    this.busy = true;
    this.pending = new Promise<void>((resolve) =>
      setImmediate(() => {
        this.busy = false;
        resolve(this.start(kind));
      }),
    );
  }

  /** Puts a sync on the wire (`send`, called at once): busy until `answered`. */
  run(send: () => Promise<void>): Promise<void> {
    this.busy = true;
    return (this.pending = send());
  }

  /** The sync on the wire got its answer (or failed): another may go. */
  answered(): void {
    this.busy = false;
  }

  /** The follow-up noted while the last sync was on the wire (forgotten here), or false. */
  takeNext(): false | SyncKind {
    const next = this.next;
    this.next = false;
    return next;
  }

  /** Resolves once no sync is on the wire or scheduled, follow-ups included. Never rejects. */
  async settled(): Promise<void> {
    for (let p = this.pending; ; p = this.pending) {
      await p.catch(() => {});
      if (!this.busy || this.pending === p) break;
    }
  }
}
