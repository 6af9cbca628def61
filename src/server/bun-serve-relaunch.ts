import { isCompiledEntry } from '../lib/compiled-entry.js';

/**
 * `serve` on Bun starts itself again once, after it has read its config: the new process
 * runs only the proxy, from the plan handed to it (cli/serve-handoff.ts), and starts with
 * allocator settings that Bun's mimalloc reads only when a process starts (from its
 * environment, before any JavaScript runs). execve keeps the PID, the arguments and the
 * standard streams, so a service manager or a shell still sees one process.
 *
 * MIMALLOC_PURGE_HOLES_MIN_INTERVAL (ms): Bun's mimalloc discards the free blocks inside
 * pages still in use each time a thread goes idle, at most once per this interval per
 * thread (100 ms by default). A proxy goes idle between calls, so at 1,000 req/s it was
 * swept ten times a second and faulted the discarded pages back in on the next calls:
 * p99 at 1,000 req/s +0.62 ms over the bare Bun proxy, and the allocator's scavenger
 * thread 6–7 µs of CPU per relayed chunk. At 2,000 ms (bench/ab.mjs, 8 rounds, against
 * the default): p99 at 1,000 req/s −0.62 ms (lower in 8 of 8 rounds), CPU per chunk
 * −3.0 µs (the scavenger −6.3 µs, 8 of 8), for +1–3 MB of RSS idle and +3–10 MB at the
 * peak under load (bench/README.md, "The allocator's hole sweeps"). An idle proxy is still
 * swept: 10 s after a load its RSS is within 1–2 MB of the default's.
 *
 * An operator's own value of a variable wins: it is never replaced.
 */
export const SERVE_ALLOCATOR_ENV: Readonly<Record<string, string>> = { MIMALLOC_PURGE_HOLES_MIN_INTERVAL: '2000' };

/** What the relaunch needs to know about this process (node:process fields of the same names). */
export interface ProcessFacts {
  env: Readonly<Record<string, string | undefined>>;
  /** [runtime or binary, entry, ...arguments]. */
  argv: readonly string[];
  /** The program name as the caller gave it. */
  argv0: string;
  execPath: string;
  /** The runtime's own flags (`bun --smol script.js`); empty in a compiled binary. */
  execArgv: readonly string[];
}

/** An execve: the file, its whole argv (argv[0] first) and its environment. */
export interface Relaunch {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * The execve that starts this process again with `handoff` (the plan's variable) and those
 * of SERVE_ALLOCATOR_ENV that are not set added to its environment. The arguments are this
 * process's own: a compiled binary's user arguments follow its embedded entry; `bun
 * script.js` keeps its own flags (not those of BUN_OPTIONS, which the environment carries)
 * and its script. It runs once: the entry sends a process started with the plan's
 * variable to the plan, never back to this command.
 */
export function serveRelaunch(p: ProcessFacts, handoff: Readonly<Record<string, string>>): Relaunch {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(p.env)) if (value !== undefined) env[name] = value;
  for (const [name, value] of Object.entries(SERVE_ALLOCATOR_ENV)) if (p.env[name] === undefined) env[name] = value;
  Object.assign(env, handoff);
  const args = isCompiledEntry(p.argv[1] ?? '') ? [p.argv0, ...p.argv.slice(2)] : [p.argv0, ...ownFlags(p.execArgv, p.env.BUN_OPTIONS), ...p.argv.slice(1)];
  return { file: p.execPath, args, env };
}

/**
 * `execArgv` without the flags Bun took from BUN_OPTIONS: Bun puts them first in execArgv
 * (`BUN_OPTIONS=--smol bun --expose-gc x.js` gives `['--smol', '--expose-gc']`), and the
 * relaunch passes BUN_OPTIONS on in its environment, so they would apply twice (a
 * `--preload` twice). When the leading flags are not BUN_OPTIONS split at whitespace (a
 * quoted value), execArgv is kept whole.
 */
function ownFlags(execArgv: readonly string[], bunOptions: string | undefined): string[] {
  const fromEnv = (bunOptions ?? '').split(/\s+/).filter((token) => token !== '');
  const prefixed = fromEnv.length > 0 && fromEnv.every((token, i) => execArgv[i] === token);
  return prefixed ? execArgv.slice(fromEnv.length) : [...execArgv];
}

type Execve = (file: string, args: string[], env: Record<string, string>) => never;

/**
 * Runtime flags that start a profiler or the inspector. Under them serve does not restart
 * itself: the exec would end what they record, and Bun's sampling profiler signals the main
 * thread (SIGPWR), which can arrive after the exec, where it ends the new process (seen with
 * `bun --cpu-prof src/main.ts serve` and a config: killed before listening, exit 158).
 */
const OBSERVER_FLAG = /^--(cpu-prof|heap-prof|inspect)/;

/**
 * Replaces this process with serveRelaunch's; `handoff` is called (it writes the plan) only
 * when the execve is about to be made. Returns only when it is not done (under a profiler or
 * the inspector, OBSERVER_FLAG) or cannot be (no execve, or it or the handoff failed): then
 * a warning to log, and serve goes on in this process with the allocator's defaults. (A test's execve
 * stand-in that returns makes it return null.)
 */
export function relaunchServe(handoff: () => Readonly<Record<string, string>>, proc: ProcessFacts & { execve?: unknown } = process): string | null {
  // The allocator is at its defaults only for the variables the operator did not set.
  const unset = Object.keys(SERVE_ALLOCATOR_ENV).filter((name) => proc.env[name] === undefined);
  const inThisProcess =
    unset.length === 0 ? 'serving in this process' : `serving in this process with the allocator's defaults (${unset.join(', ')} unset; set it to measure as the binary runs)`;
  const observer = proc.execArgv.find((flag) => OBSERVER_FLAG.test(flag));
  if (observer !== undefined) return `running under ${observer.split('=')[0]}, serve does not restart itself; ${inThisProcess}`;
  if (typeof proc.execve !== 'function') return `this Bun has no process.execve; ${inThisProcess}`;
  try {
    // The handoff writes the plan file: a read-only or full temp folder lands here too.
    const relaunch = serveRelaunch(proc, handoff());
    (proc.execve as Execve).call(proc, relaunch.file, relaunch.args, relaunch.env);
  } catch (error) {
    return `could not restart serve in a process of its own (${error instanceof Error ? error.message : String(error)}); ${inThisProcess}`;
  }
  return null;
}
