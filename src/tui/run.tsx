import { writeSync } from 'node:fs';
import { render } from 'ink';
import { App, REFRESH_MS } from './App.js';
import { initialState } from './state.js';
import type { DashboardSource } from './types.js';

/**
 * Runs the dashboard full-screen until `q` or Ctrl-C: switches to the terminal's alternate
 * screen (so the shell's scrollback is left as it was), renders, and on the way out —
 * also when the process ends on a signal — leaves the alternate screen and shows the
 * cursor again. Closes the source when done.
 */
export interface RunTuiOptions {
  source: DashboardSource;
  /** `--since` expression for the first period (default 30d). */
  since?: string;
  color: boolean;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
}

/** Enter the alternate screen, cursor home. */
export const ENTER_SCREEN = '\u001b[?1049h\u001b[H';
/**
 * Leave the alternate screen (the shell's screen comes back as it was), then show the
 * cursor: in that order, because terminals such as tmux restore the cursor state saved on
 * entering the alternate screen when leaving it.
 */
export const LEAVE_SCREEN = '\u001b[?1049l\u001b[?25h';

export async function runTui(o: RunTuiOptions): Promise<void> {
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    // Synchronous on purpose: this also runs from process 'exit', where async writes are lost.
    const fd = (o.stdout as { fd?: number }).fd;
    if (typeof fd === 'number') writeSync(fd, LEAVE_SCREEN);
    else o.stdout.write(LEAVE_SCREEN);
  };
  process.once('exit', restore);
  o.stdout.write(ENTER_SCREEN);
  try {
    const instance = render(<App source={o.source} initial={initialState({ since: o.since })} color={o.color} intervalMs={REFRESH_MS} />, {
      stdin: o.stdin,
      stdout: o.stdout,
      exitOnCtrlC: true,
      patchConsole: true,
    });
    await instance.waitUntilExit();
  } finally {
    restore();
    process.off('exit', restore);
    o.source.close();
  }
}
