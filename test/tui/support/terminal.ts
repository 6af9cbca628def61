import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A real terminal to run a full-screen program in, for smoke tests: tmux when installed
 * (a real terminal emulator: what is on screen, whether the alternate screen is on,
 * whether the cursor is shown), else a pty from util-linux `script` (then "the screen" is
 * the raw byte stream and the terminal state is read from the escape sequences in it).
 * Neither present: `openTerminal` throws, naming what to install; nothing is skipped.
 */
export interface Terminal {
  readonly kind: 'tmux' | 'pty';
  /**
   * What the program shows now. tmux: the visible screen. pty: what it wrote since the last
   * `send` (since the start before any), escape sequences stripped, so a wait after a key
   * sees only the answer to that key.
   */
  screen(): string;
  /** Sends keys: literal text, or one of the named keys. */
  send(key: string | NamedKey): void;
  /** Exit code once the program has ended; undefined while it runs. */
  exitCode(): number | undefined;
  /** Whether the terminal is on the alternate screen and shows the cursor. */
  modes(): { alternateScreen: boolean; cursorVisible: boolean };
  close(): void;
}

export type NamedKey = { named: 'Tab' | 'BTab' | 'Enter' | 'BSpace' | 'Down' | 'Up' | 'Left' | 'Right' | 'Escape' | 'C-c' };

const BYTES: Record<NamedKey['named'], string> = {
  Tab: '\t',
  BTab: '\u001b[Z',
  Enter: '\r',
  BSpace: '\u007f',
  Down: '\u001b[B',
  Up: '\u001b[A',
  Right: '\u001b[C',
  Left: '\u001b[D',
  Escape: '\u001b',
  'C-c': '\u0003',
};

export interface TerminalOptions {
  argv: readonly string[];
  env: Record<string, string>;
  columns: number;
  rows: number;
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `TOKOMETER_TEST_TERMINAL=pty` forces the pty path (to check the fallback where tmux is installed). */
export function openTerminal(o: TerminalOptions): Terminal {
  const forced = process.env.TOKOMETER_TEST_TERMINAL;
  if (forced === 'pty' && has('script')) return openPty(o);
  if (has('tmux')) return openTmux(o);
  if (has('script')) return openPty(o);
  throw new Error('the terminal smoke test needs tmux (apt-get install -y tmux) or util-linux `script`; neither is installed');
}

let serial = 0;
/** Printed after the program ends, followed by its exit status and `]`. */
const EXIT_MARK = '[program exited with status ';

function openTmux(o: TerminalOptions): Terminal {
  const socket = `tokometer-test-${process.pid}-${serial++}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-tmux-'));
  const conf = path.join(dir, 'tmux.conf');
  writeFileSync(conf, 'set -g status off\nset -g default-terminal xterm-256color\n');
  const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', conf, ...args], { env: o.env, encoding: 'utf8' });
  // Like a shell would: run the program, then print its exit status and keep the terminal
  // open, so the screen and modes it left behind can be inspected.
  const command = `${o.argv.map(quote).join(' ')}; echo "${EXIT_MARK}$?]"; sleep 600`;
  tmux('new-session', '-d', '-s', 'main', '-x', String(o.columns), '-y', String(o.rows), command);
  const fmt = (f: string) => tmux('display-message', '-p', '-t', 'main', f).trim();
  const screen = () => tmux('capture-pane', '-p', '-t', 'main');
  return {
    kind: 'tmux',
    screen,
    send: (key) => {
      if (typeof key === 'string') tmux('send-keys', '-t', 'main', '-l', key);
      else tmux('send-keys', '-t', 'main', key.named);
    },
    exitCode: () => {
      const m = new RegExp(`${EXIT_MARK.replace('[', '\\[')}(\\d+)\\]`).exec(screen());
      return m ? Number(m[1]) : undefined;
    },
    modes: () => ({ alternateScreen: fmt('#{alternate_on}') === '1', cursorVisible: fmt('#{cursor_flag}') === '1' }),
    close: () => {
      try {
        const socketPath = fmt('#{socket_path}');
        tmux('kill-server');
        rmSync(socketPath, { force: true });
      } catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function openPty(o: TerminalOptions): Terminal {
  const command = `stty cols ${o.columns} rows ${o.rows}; exec ${o.argv.map(quote).join(' ')}`;
  const child: ChildProcess = spawn('script', ['-qfec', command, '/dev/null'], { env: o.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let raw = '';
  let mark = 0;
  let code: number | undefined;
  child.stdout!.on('data', (d: Buffer) => (raw += d.toString('utf8')));
  child.on('exit', (c) => (code = c ?? 1));
  const last = (s: string) => raw.lastIndexOf(s);
  return {
    kind: 'pty',
    // eslint-disable-next-line no-control-regex
    screen: () => raw.slice(mark).replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ''),
    send: (key) => {
      mark = raw.length;
      child.stdin!.write(typeof key === 'string' ? key : BYTES[key.named]);
    },
    exitCode: () => code,
    modes: () => ({ alternateScreen: last('\u001b[?1049h') > last('\u001b[?1049l'), cursorVisible: last('\u001b[?25l') < last('\u001b[?25h') }),
    close: () => {
      if (code === undefined) child.kill('SIGKILL');
    },
  };
}
