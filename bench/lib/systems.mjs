/**
 * Starting and stopping the systems under test: the fake upstream, the two bare
 * proxies, and tokometer as the compiled binary and on Node (each in its own temp
 * directory with a config, a metering key and a database). Every server listens on
 * 127.0.0.1 and port 0; its port is read from the "listening on" line it prints.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinned } from './tools.mjs';

export const SYSTEMS = {
  direct: { label: 'upstream direct', runtime: null, kind: 'direct' },
  'bare-node': { label: 'bare proxy (Node)', runtime: 'node', kind: 'bare' },
  'bare-bun': { label: 'bare proxy (Bun)', runtime: 'bun', kind: 'bare' },
  binary: { label: 'tokometer binary (Bun)', runtime: 'bun', kind: 'tokometer' },
  node: { label: 'tokometer on Node', runtime: 'node', kind: 'tokometer' },
};

const LISTENING = /listening on http:\/\/127\.0\.0\.1:(\d+)/;

/** Spawns a server and resolves once it printed its port; keeps the last output for errors. */
export function startServer(name, cmd, args, { cpu, cwd, env, timeoutMs = 20_000 }) {
  const [c, a] = pinned(cpu, cmd, args);
  const proc = spawn(c, a, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (d) => {
    tail = (tail + d.toString()).slice(-4000);
  };
  proc.stderr.on('data', keep);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${tail}`)), timeoutMs);
    proc.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${out}${tail}`)));
    proc.stdout.on('data', (d) => {
      keep(d);
      if (out === null) return;
      out += d.toString();
      const m = LISTENING.exec(out);
      if (m) {
        out = null;
        clearTimeout(timer);
        resolve({ name, proc, pid: proc.pid, port: Number(m[1]), tail: () => tail, stop: (timeout) => stopProcess(proc, timeout) });
      }
    });
  });
}

/** SIGTERM, wait (the proxy drains its write queue), SIGKILL after `timeoutMs`. Resolves the exit code. */
export function stopProcess(proc, timeoutMs = 30_000) {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? signal);
    });
    proc.kill('SIGTERM');
  });
}

/** The command that runs tokometer on a runtime: the compiled binary, or dist/js on Node. */
export function tokometerCommand(root, runtime, nodeFlags = []) {
  return runtime === 'bun' ? [join(root, 'dist/tokometer'), []] : [process.execPath, [...nodeFlags, join(root, 'dist/js/main.js')]];
}

/** Creates a tokometer home (config + key) pointing at the upstream; returns the metering key. `binary`: a build to create it with (its own schema version) instead of dist/. */
export function prepareTokometer(root, runtime, dir, upstreamUrl, binary = null) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokometer.yaml'), `providers:\n  openai:\n    base_url: "${upstreamUrl}"\n    api_key: "sk-bench-upstream"\n`);
  const [cmd, args] = binary ? [binary, []] : tokometerCommand(root, runtime);
  const r = spawnSync(cmd, [...args, 'keys', 'create', 'bench', '--db', join(dir, 'tokometer.db')], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  const key = /mk_[0-9A-Za-z]{32}/.exec(r.stdout ?? '')?.[0];
  if (!key) throw new Error(`tokometer keys create failed (${runtime}): ${r.stdout}${r.stderr}`);
  return key;
}

/**
 * Starts one system. Returns { name, port, pid, pathPrefix, key, db?, stop }.
 * opts: { root, tmp, upstreamUrl, cpu, bun, nodeFlags, env, dirName, as } (`as` renames it, e.g. a second instance)
 */
export async function startSystem(name, opts) {
  const spec = SYSTEMS[name];
  const { root, tmp, upstreamUrl, cpu, bun } = opts;
  if (name === 'bare-node') {
    const s = await startServer(name, process.execPath, [join(root, 'bench/bare-node.mjs'), upstreamUrl], { cpu, cwd: root });
    return { ...spec, ...s, pathPrefix: '/proxy/openai', key: 'mk_bench' };
  }
  if (name === 'bare-bun') {
    const s = await startServer(name, bun, [join(root, 'bench/bare-bun.mjs'), upstreamUrl], { cpu, cwd: root });
    return { ...spec, ...s, pathPrefix: '/proxy/openai', key: 'mk_bench' };
  }
  const dir = join(tmp, opts.dirName ?? name);
  const key = prepareTokometer(root, spec.runtime, dir, upstreamUrl);
  const db = join(dir, 'tokometer.db');
  const [cmd, args] = tokometerCommand(root, spec.runtime, opts.nodeFlags ?? []);
  const s = await startServer(name, cmd, [...args, 'serve', '--port', '0', '--db', db], { cpu, cwd: dir, env: opts.env ?? {} });
  return { ...spec, ...s, name: opts.as ?? name, pathPrefix: '/proxy/openai', key, db, dir };
}

/** The fake upstream on Bun. The "direct" system is the upstream itself. */
export async function startUpstream({ root, cpu, bun }) {
  const s = await startServer('upstream', bun, [join(root, 'bench/fake-upstream.mjs')], { cpu, cwd: root });
  return { ...s, url: `http://127.0.0.1:${s.port}` };
}

/** Requests per `x-bench-sys` value the upstream has served. */
export async function upstreamCounts(upstream) {
  const res = await fetch(`${upstream.url}/__stats`);
  return res.json();
}

/** Rows in a tokometer database by outcome (read with better-sqlite3 after the proxy stopped). */
export async function countRows(root, db) {
  const { createRequire } = await import('node:module');
  const Database = createRequire(join(root, 'package.json'))('better-sqlite3');
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn.prepare('SELECT outcome, count(*) AS n FROM calls GROUP BY outcome').all();
    const byOutcome = Object.fromEntries(rows.map((r) => [r.outcome, r.n]));
    const total = rows.reduce((s, r) => s + r.n, 0);
    const costed = conn.prepare('SELECT count(*) AS n FROM calls WHERE cost_nano > 0').get().n;
    return { total, byOutcome, costed };
  } finally {
    conn.close();
  }
}
