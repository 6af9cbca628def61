/**
 * The machine side of the bench: which tools exist (installing wrk and hyperfine from
 * Debian when allowed), CPU pinning with taskset, and /proc readings (RSS, CPU time).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/**
 * Finds wrk, hyperfine and taskset. When wrk or hyperfine is missing, running as root
 * with apt-get and `install` allowed, installs them from Debian (bounded to 120 s).
 */
export function detectTools({ install, log }) {
  let missing = ['wrk', 'hyperfine'].filter((t) => !which(t));
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (missing.length > 0 && install && root && which('apt-get')) {
    log(`installing ${missing.join(', ')} from Debian (apt-get, at most 120 s)…`);
    const apt = (args) => spawnSync('apt-get', args, { stdio: 'ignore', timeout: 120_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (apt(['install', '-y', '-q', ...missing]).status !== 0) {
      apt(['update', '-q']);
      apt(['install', '-y', '-q', ...missing]);
    }
    missing = missing.filter((t) => !which(t));
    if (missing.length) log(`could not install ${missing.join(', ')}; using the built-in fallbacks`);
  }
  return { wrk: which('wrk'), hyperfine: which('hyperfine'), taskset: which('taskset') };
}

/** CPU layout: load generator and upstream on one core, the system under test on another. */
export function cpuPlan(taskset) {
  const n = os.cpus().length;
  if (!taskset || n < 2) return { pinned: false, loadgen: null, upstream: null, sut: null, cores: n };
  return { pinned: true, loadgen: 0, upstream: 0, sut: 1, cores: n };
}

/** Command and args, prefixed with `taskset -c CPU` when pinning. */
export function pinned(cpu, cmd, args) {
  if (cpu === null || cpu === undefined) return [cmd, args];
  return ['taskset', ['-c', String(cpu), cmd, ...args]];
}

/** Pins every thread of this process to `cpu`. */
export function pinSelf(cpu) {
  if (cpu === null || cpu === undefined) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/** Resident set size of a process in MB (0 when gone). */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU time (user + system, all threads) a process has used, in ms. */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return NaN;
  }
}

/**
 * CPU time of every live thread of a process, in ms with nanosecond resolution (sum of
 * /proc/PID/task/TID/schedstat): exact enough for A/B figures over a second of load,
 * where /proc/PID/stat's 10 ms ticks are not. Threads that already exited are missing.
 */
export function cpuMsExact(pid) {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns / 1e6;
  } catch {
    return NaN;
  }
}

/** CPU ms per thread name (/proc/PID/task/TID/comm), summed over threads of the same name: where a process spends its CPU. */
export function cpuMsByThread(pid) {
  const out = {};
  for (const { name, ms } of threadReadings(pid)) out[name] = (out[name] ?? 0) + ms;
  return out;
}

/** Each live thread of `pid`: its id, name and CPU ms so far (none when the process is gone). */
function threadReadings(pid) {
  const out = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        out.push({ tid, name, ms: Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6 });
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    // The process is gone.
  }
  return out;
}

/**
 * CPU ms that the threads of `pid` named `name` use from now until `stop()`, counting
 * threads that start or end meanwhile (JavaScriptCore ends an idle JIT thread and starts a
 * new one later, and an ended thread's CPU leaves /proc with it, so two cpuMsByThread
 * readings a minute apart can miss most of it). Sampled every `everyMs`: a thread that ends
 * loses at most its last interval.
 */
export function threadCpuMeter(pid, name, everyMs = 200) {
  const last = new Map();
  let total = 0;
  let baseline = true;
  const sample = () => {
    for (const { tid, name: threadName, ms } of threadReadings(pid)) {
      if (threadName !== name) continue;
      const prev = last.get(tid);
      if (prev !== undefined) total += Math.max(0, ms - prev);
      else if (!baseline) total += ms;
      last.set(tid, ms);
    }
    baseline = false;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref?.();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return total;
    },
  };
}

/** What RESULTS.md says about the machine. */
export function machineInfo() {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  const lscpu = spawnSync('lscpu', [], { encoding: 'utf8' });
  const m = /Model name:\s*(.+)/.exec(lscpu.stdout ?? '');
  if (m) cpuModel = m[1].trim();
  const hv = /Hypervisor vendor:\s*(.+)/.exec(lscpu.stdout ?? '');
  const bun = spawnSync('node_modules/.bin/bun', ['--version'], { encoding: 'utf8' });
  return {
    // os.cpus(), not availableParallelism(): the bench has pinned itself to one CPU by now.
    nproc: os.cpus().length,
    cpuModel,
    hypervisor: hv ? hv[1].trim() : null,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    kernel: os.release(),
    node: process.version,
    bun: bun.status === 0 ? bun.stdout.trim() : 'n/a',
    distro: existsSync('/etc/os-release') ? (/PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '') : '',
  };
}

/** Machine-wide CPU ticks (busy, total) from /proc/stat. */
export function machineTicks() {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3] + (f[4] || 0);
    const total = f.reduce((s, v) => s + v, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

/** CPU ticks used by this process and its reaped children (the bench's own share of the machine). */
export function ownTicks() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return NaN;
  }
}
