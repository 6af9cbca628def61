/**
 * A bounded reliability soak: `node bench/soak-reliability.mjs [--minutes 2] [--every 5]
 * [--concurrency 8] [--build binary|node]`. Not part of `npm test`.
 *
 * Starts tokometer (the compiled binary by default) in a temp folder in front of an
 * in-script provider on 127.0.0.1 that also misbehaves on request, then drives mixed
 * traffic for the given minutes: JSON calls, streams, clients that abort mid-stream,
 * mid-body or while the provider thinks, and provider faults (reset, stall past the
 * header timeout, stream cut, 500, invalid JSON). Every `--every` seconds it samples the
 * proxy's RSS (/proc/<pid>/status) and open descriptors (/proc/<pid>/fd). At the end it
 * stops the proxy with SIGTERM, checks the stored records against what was sent, and
 * prints a table and a verdict: flat, or growing. Traffic stays on loopback and stops
 * at the deadline.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? def : argv[i + 1];
};
const MINUTES = Number(opt('minutes', 2));
const EVERY_S = Number(opt('every', 5));
const CONCURRENCY = Number(opt('concurrency', 8));
const BUILD = opt('build', 'binary');
/**
 * Client faults and provider faults, by weight. `recorded`: the proxy stores one record
 * per call (true), none (false), or one per call whose request it had read in full
 * ('if-received': a client that gives up after 50 ms may leave before its request did).
 */
const CASES = [
  { name: 'json', weight: 30, recorded: true },
  { name: 'stream', weight: 20, recorded: true },
  { name: 'abort-mid-stream', weight: 8, recorded: true },
  { name: 'abort-while-thinking', weight: 5, recorded: 'if-received' },
  { name: 'abort-mid-body', weight: 5, recorded: false },
  { name: 'reset', weight: 6, recorded: true },
  { name: 'stall', weight: 3, recorded: true },
  { name: 'cut', weight: 8, recorded: true },
  { name: 'status-500', weight: 8, recorded: true },
  { name: 'garbage', weight: 7, recorded: true },
];

const usage = { prompt_tokens: 120, completion_tokens: 8, total_tokens: 128 };
const CHAT = JSON.stringify({ id: 'chatcmpl-soak', object: 'chat.completion', model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage });
const frame = (delta) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
const FRAMES = [...Array.from({ length: 10 }, (_, i) => frame({ content: `t${i} ` })), `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [], usage })}\n\n`, 'data: [DONE]\n\n'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Requests the provider received, by case. */
const received = {};

/** The provider: the request body's "soak" field picks what it does. */
function startProvider() {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const kind = /"soak":"([\w-]+)"/.exec(body)?.[1] ?? 'json';
      received[kind] = (received[kind] ?? 0) + 1;
      if (kind === 'reset') return res.socket.destroy();
      if (kind === 'stall' || kind === 'abort-while-thinking') return; // never answers; the proxy's header timeout or the client ends it
      if (kind === 'status-500') return res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"boom","type":"server_error"}}');
      if (kind === 'garbage') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ not json');
      if (kind === 'json') return res.writeHead(200, { 'content-type': 'application/json' }).end(CHAT);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < FRAMES.length; i++) {
        if (res.destroyed) return;
        if (kind === 'cut' && i === 4) return res.socket.destroy();
        res.write(FRAMES[i]);
        await sleep(10);
      }
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function command(args) {
  return BUILD === 'node' ? [process.execPath, [join(ROOT, 'dist/js/main.js'), ...args]] : [join(ROOT, 'dist/tokometer'), args];
}

function startProxy(dir) {
  const [cmd, args] = command(['serve', '--port', '0']);
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', () => undefined);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`proxy did not start: ${out}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`proxy exited with ${code}: ${out}`)));
  });
}

/** One call of the given case; resolves a short outcome label. Never throws. */
async function call(port, secret, kind) {
  const url = `http://127.0.0.1:${port}/proxy/openai/chat/completions`;
  const stream = kind === 'stream' || kind === 'cut' || kind === 'abort-mid-stream';
  const body = JSON.stringify({ model: 'gpt-4o-mini', soak: kind, stream, messages: [{ role: 'user', content: 'hello '.repeat(40) }] });
  const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'x-metering-tags': `{"case":"${kind}"}` };
  if (kind === 'abort-mid-body') return abortMidBody(port, secret, body);
  const controller = new AbortController();
  if (kind === 'abort-while-thinking') setTimeout(() => controller.abort(), 50);
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: controller.signal });
    if (kind === 'abort-mid-stream') {
      const reader = res.body.getReader();
      await reader.read();
      controller.abort();
      return 'aborted';
    }
    await res.text();
    return String(res.status);
  } catch (e) {
    return e.name === 'AbortError' ? 'aborted' : 'error';
  }
}

/** Sends the headers and half the body on a raw socket, then disconnects. */
function abortMidBody(port, secret, body) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.write(`POST /proxy/openai/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${secret}\r\nX-Metering-Tags: {"case":"abort-mid-body"}\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, body.length >> 1)}`);
      setTimeout(() => s.destroy(), 20);
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve('aborted'));
  });
}

function sample(pid, t0, done) {
  const rss = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  return { s: Math.round((performance.now() - t0) / 1000), rss, fds: readdirSync(`/proc/${pid}/fd`).length, calls: done };
}

/** Least-squares slope of y over x. */
function slope(points, x, y) {
  const n = points.length;
  const mx = points.reduce((a, p) => a + x(p), 0) / n;
  const my = points.reduce((a, p) => a + y(p), 0) / n;
  const num = points.reduce((a, p) => a + (x(p) - mx) * (y(p) - my), 0);
  const den = points.reduce((a, p) => a + (x(p) - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tokometer-soak-'));
  const provider = await startProvider();
  const upstream = `http://127.0.0.1:${provider.address().port}`;
  writeFileSync(join(dir, 'tokometer.yaml'), `providers:\n  openai: { base_url: "${upstream}", api_key: "sk-soak", header_timeout_ms: 1000, idle_timeout_ms: 1000 }\nstore: { flush_interval_ms: 50 }\n`);
  const [kc, ka] = command(['keys', 'create', 'soak']);
  const secret = /mk_[0-9A-Za-z]{32}/.exec(spawnSync(kc, ka, { cwd: dir, encoding: 'utf8' }).stdout)?.[0];
  if (!secret) throw new Error('could not create a metering key');
  const { child, port } = await startProxy(dir);
  process.on('exit', () => child.kill('SIGKILL'));

  const counts = Object.fromEntries(CASES.map((c) => [c.name, {}]));
  const total = CASES.reduce((a, c) => a + c.weight, 0);
  let seed = 42;
  const pick = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    let r = (seed / 2 ** 31) * total;
    return CASES.find((c) => (r -= c.weight) < 0) ?? CASES[0];
  };
  let done = 0;
  const t0 = performance.now();
  const deadline = t0 + MINUTES * 60_000;
  const samples = [sample(child.pid, t0, 0)];
  const sampler = setInterval(() => samples.push(sample(child.pid, t0, done)), EVERY_S * 1000);
  console.log(`soak: ${BUILD}, ${MINUTES} min, ${CONCURRENCY} clients, sampling every ${EVERY_S} s (pid ${child.pid})`);
  const worker = async () => {
    while (performance.now() < deadline) {
      const c = pick();
      const outcome = await call(port, secret, c.name);
      counts[c.name][outcome] = (counts[c.name][outcome] ?? 0) + 1;
      done++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await sleep(1500); // aborted calls unwind; idle sockets settle
  clearInterval(sampler);
  samples.push(sample(child.pid, t0, done));

  child.kill('SIGTERM');
  const code = await new Promise((r) => child.once('exit', (c) => r(c)));
  provider.close();
  provider.closeAllConnections();
  const require = createRequire(join(ROOT, 'package.json'));
  const Database = require('better-sqlite3');
  const db = new Database(join(dir, 'tokometer.db'), { readonly: true });
  const stored = Object.fromEntries(db.prepare("SELECT t.value AS name, count(*) AS n FROM calls c, json_each(c.tags) t WHERE t.key = 'case' GROUP BY t.value").all().map((r) => [r.name, r.n]));
  db.close();
  rmSync(dir, { recursive: true, force: true });

  console.log('\n   s   RSS MiB   fds    calls');
  for (const p of samples) console.log(`${String(p.s).padStart(4)}  ${p.rss.toFixed(1).padStart(8)}  ${String(p.fds).padStart(4)}  ${String(p.calls).padStart(7)}`);
  console.log('\ncase                   sent  at provider  stored  outcomes');
  let recordsOk = true;
  for (const c of CASES) {
    const sent = Object.values(counts[c.name]).reduce((a, b) => a + b, 0);
    const got = stored[c.name] ?? 0;
    const atProvider = received[c.name] ?? 0;
    const ok = c.recorded === 'if-received' ? atProvider <= got && got <= sent : got === (c.recorded ? sent : 0);
    if (!ok) recordsOk = false;
    console.log(`${c.name.padEnd(21)} ${String(sent).padStart(5)}  ${String(atProvider).padStart(11)}  ${String(got).padStart(6)}  ${JSON.stringify(counts[c.name])}${ok ? '' : '  <- mismatch'}`);
  }
  // Judge the second half only: the first half includes warm-up (JIT, pools, SQLite cache).
  const tail = samples.slice(Math.floor(samples.length / 2));
  // Flat: the fitted RSS trend over the second half adds less than max(8 MiB, 5 %), and descriptors do not pile up.
  const rssPerMin = slope(tail, (p) => p.s / 60, (p) => p.rss);
  const trendMiB = rssPerMin * ((tail.at(-1).s - tail[0].s) / 60);
  const fdGrowth = tail.at(-1).fds - tail[0].fds;
  const flat = trendMiB < Math.max(8, tail[0].rss * 0.05) && fdGrowth <= 10;
  const signed = (v, digits = 1) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
  console.log(`\nsecond half: RSS trend ${signed(trendMiB)} MiB (${signed(rssPerMin, 2)} MiB/min, ${tail[0].rss.toFixed(1)} -> ${tail.at(-1).rss.toFixed(1)} MiB), fds ${signed(fdGrowth, 0)}`);
  console.log(`records: ${recordsOk ? 'every call that reached the proxy in full stored exactly once, none for bodies cut mid-way' : 'MISMATCH between calls sent and records stored'}; SIGTERM exit code ${code}`);
  console.log(`verdict: ${flat ? 'flat' : 'growing'}`);
  process.exitCode = flat && recordsOk && code === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
