/**
 * Waits for `p` to settle, but no longer than `ms`; never rejects. The timer is cleared when
 * `p` settles first and never holds the process open (shutdown steps with a time limit).
 */
export function waitAtMost(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms) as unknown as { unref?: () => void };
    t.unref?.();
    const done = () => {
      clearTimeout(t as unknown as ReturnType<typeof setTimeout>);
      resolve();
    };
    p.then(done, done);
  });
}
