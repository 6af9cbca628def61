import { formatInt, formatMoney } from '../report/format/text.js';

/**
 * Progress of the demo run: a redrawn bar on a terminal, a plain line every 10 % of the
 * calls otherwise (logs, CI). Fed with each recorded call's cost and simulated time.
 */
export interface Progress {
  /** One call was recorded: its cost in nano-USD (null = unpriced) and simulated time (ms). */
  record(costNano: number | null, at: number): void;
  /** Ends the display: with the final state when the run `completed`, else just ends the bar's line. */
  finish(completed: boolean): void;
}

export interface ProgressOptions {
  write: (text: string) => void;
  /** Redraw one bar in place (true) or print plain lines (false). */
  tty: boolean;
  /** Calls expected in total. */
  total: number;
  /** Simulated window, ms since the epoch, to show which day the run has reached. */
  windowStart: number;
  windowEnd: number;
  /** Real ms, for throttling redraws. */
  now?: () => number;
}

const BAR_CELLS = 24;
/** Minimum real ms between two redraws of the bar. */
const REDRAW_MS = 80;
const DAY = 86_400_000;

export function createProgress(o: ProgressOptions): Progress {
  const now = o.now ?? Date.now;
  const days = Math.max(1, Math.round((o.windowEnd - o.windowStart) / DAY));
  let done = 0;
  let costNano = 0;
  let latest = o.windowStart;
  let lastDraw = -Infinity;
  let nextTenth = 1;

  const status = () => {
    const day = Math.min(days, Math.max(1, Math.ceil((latest - o.windowStart) / DAY)));
    return `${formatInt(done)}/${formatInt(o.total)} calls  ${formatMoney(costNano)}  day ${day} of ${days}`;
  };
  const draw = () => {
    const filled = o.total === 0 ? BAR_CELLS : Math.min(BAR_CELLS, Math.floor((done / o.total) * BAR_CELLS));
    o.write(`\r\u001b[2Kdemo ${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)} ${status()}`);
    lastDraw = now();
  };

  return {
    record(cost, at) {
      done++;
      costNano += cost ?? 0;
      latest = Math.max(latest, at);
      if (o.tty) {
        if (now() - lastDraw >= REDRAW_MS) draw();
        return;
      }
      while (o.total > 0 && nextTenth <= 9 && done >= (o.total * nextTenth) / 10) {
        o.write(`demo: ${nextTenth * 10}%  ${status()}\n`);
        nextTenth++;
      }
    },
    finish(completed) {
      if (o.tty) {
        if (completed) draw();
        o.write('\n');
      } else if (completed) {
        o.write(`demo: done  ${status()}\n`);
      }
    },
  };
}
