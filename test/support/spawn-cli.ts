import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
/** The compiled Bun binary (`npm run build:bin`). */
export const BINARY = path.join(REPO_ROOT, 'dist', 'tokometer');
/** The Node build (`npm run build:js`). */
export const NODE_ENTRY = path.join(REPO_ROOT, 'dist', 'js', 'main.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Which build a test drives: the Bun binary or the Node package. */
export type Build = 'binary' | 'node';

function command(build: Build, args: readonly string[]): [string, string[]] {
  return build === 'binary' ? [BINARY, [...args]] : [process.execPath, [NODE_ENTRY, ...args]];
}

/** Runs a tokometer command to completion. */
export function runCli(build: Build, args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const [cmd, argv] = command(build, args);
  return runProgram(cmd, argv, options);
}

/** Runs any program to completion (e.g. `bash -c` for a real shell pipeline) with the clean environment. */
export function runProgram(cmd: string, argv: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: options.cwd, env: { ...cleanEnv(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `tokometer serve` and resolves once it prints its URL. */
export function startServe(build: Build, args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<{ child: ChildProcess; url: string; output: () => { stdout: string; stderr: string } }> {
  const [cmd, argv] = command(build, ['serve', ...args]);
  const child = spawn(cmd, argv, { cwd: options.cwd, env: { ...cleanEnv(), ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in time\nstdout: ${stdout}\nstderr: ${stderr}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] as string, output: () => ({ stdout, stderr }) });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited early with ${code}\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** Sends a signal and waits for the process to exit; returns its exit code. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

/** The environment without provider keys, admin keys, or tokometer and allocator (MIMALLOC_*) settings from the developer's shell. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /_API_KEY$|_ADMIN_KEY$|^TOKOMETER_|^CO_API_KEY$|^OTEL_|^MIMALLOC_/.test(k)) continue;
    env[k] = v;
  }
  return env;
}
