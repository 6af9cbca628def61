/**
 * A minimal HTTP/1.1 keep-alive client on raw sockets: the built-in load generator.
 * One request in flight per connection; requests are prebuilt byte buffers. It parses
 * only what it must (status, content-length or chunked framing) so its own cost stays
 * small and equal for every system under test. For streams it timestamps every SSE
 * frame (a blank line) as it arrives and can keep the body for a byte-exact check.
 */
import net from 'node:net';

const LF = 10;
const HEAD_END = Buffer.from('\r\n\r\n');

/** Builds the bytes of one request. */
export function buildRequest({ method = 'POST', path, port, headers = {}, body = '' }) {
  const payload = Buffer.from(body);
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (method !== 'GET') head += `Content-Length: ${payload.length}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), payload]);
}

export function connect(port) {
  return openSocket(port).then((socket) => new Conn(socket, port));
}

function openSocket(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * One keep-alive connection. `send` resolves when the whole response has arrived. A
 * connection the server closed while it was idle (its keep-alive timeout: the pools
 * hand out connections last-in first-out, so the bottom ones can sit idle for minutes)
 * is reopened by the next `send`, as every HTTP client does, and counted in `reopened`;
 * a close during a request is an error.
 */
export class Conn {
  constructor(socket, port) {
    this.port = port;
    this.reopened = 0;
    this.attach(socket);
  }

  attach(socket) {
    this.socket = socket;
    this.cur = null;
    this.closed = false;
    this.closedIdle = false;
    socket.on('data', (d) => this.onData(d));
    const fail = (err) => {
      if (this.socket !== socket) return;
      if (!this.closed && this.cur === null && !this.ownClose) this.closedIdle = true;
      this.closed = true;
      const cur = this.cur;
      this.cur = null;
      if (cur) cur.reject(err ?? new Error('connection closed'));
    };
    socket.on('error', fail);
    socket.on('close', () => fail(null));
  }

  get busy() {
    return this.cur !== null;
  }

  /** opts: { frames: true } timestamps SSE frames (and calls `onFirstFrame` on the first); { keep: true } keeps the body bytes. */
  send(buf, opts) {
    if (this.closed && this.closedIdle) {
      this.reopened++;
      return openSocket(this.port).then((socket) => {
        this.attach(socket);
        return this.send(buf, opts);
      });
    }
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.cur = {
        resolve, reject, opts,
        t0: performance.now(), head: null, status: 0, chunked: false, remaining: 0,
        state: 0, line: '', bytes: 0, body: opts?.keep ? [] : null,
        frameTimes: opts?.frames ? [] : null, lastLF: false,
      };
      this.socket.write(buf);
    });
  }

  close() {
    this.ownClose = true;
    this.closed = true;
    this.socket.destroy();
  }

  onData(d) {
    const c = this.cur;
    if (!c) return;
    let i = 0;
    if (c.state === 0) {
      const data = c.head ? Buffer.concat([c.head, d]) : d;
      const end = data.indexOf(HEAD_END);
      if (end === -1) {
        c.head = data;
        return;
      }
      const head = data.toString('latin1', 0, end).toLowerCase();
      c.status = Number(head.slice(9, 12));
      const cl = /\r\ncontent-length:\s*(\d+)/.exec(head);
      c.chunked = /\r\ntransfer-encoding:[^\r]*chunked/.test(head);
      d = data;
      i = end + 4;
      if (c.chunked) c.state = 2;
      else {
        c.remaining = cl ? Number(cl[1]) : 0;
        c.state = 1;
        if (c.remaining === 0) return this.done();
      }
    }
    const n = d.length;
    while (i < n && this.cur === c) {
      if (c.state === 1) {
        const take = Math.min(c.remaining, n - i);
        this.body(c, d, i, i + take);
        i += take;
        c.remaining -= take;
        if (c.remaining === 0) this.done();
      } else if (c.state === 2 || c.state === 5) {
        const j = d.indexOf(LF, i);
        if (j === -1) {
          c.line += d.toString('latin1', i);
          return;
        }
        const line = (c.line + d.toString('latin1', i, j)).trim();
        c.line = '';
        i = j + 1;
        if (c.state === 5) {
          if (line === '') this.done();
        } else {
          const size = parseInt(line, 16);
          if (size === 0) c.state = 5;
          else {
            c.remaining = size;
            c.state = 3;
          }
        }
      } else if (c.state === 3) {
        const take = Math.min(c.remaining, n - i);
        this.body(c, d, i, i + take);
        i += take;
        c.remaining -= take;
        if (c.remaining === 0) {
          c.state = 4;
          c.remaining = 2;
        }
      } else if (c.state === 4) {
        const take = Math.min(c.remaining, n - i);
        i += take;
        c.remaining -= take;
        if (c.remaining === 0) c.state = 2;
      }
    }
  }

  body(c, d, from, to) {
    c.bytes += to - from;
    if (c.body) c.body.push(Buffer.from(d.subarray(from, to)));
    if (!c.frameTimes) return;
    const now = performance.now() - c.t0;
    for (let k = from; k < to; k++) {
      if (d[k] !== LF) {
        c.lastLF = false;
        continue;
      }
      if (c.lastLF) {
        c.frameTimes.push(now);
        if (c.frameTimes.length === 1) c.opts.onFirstFrame?.();
        c.lastLF = false;
      } else c.lastLF = true;
    }
  }

  done() {
    const c = this.cur;
    this.cur = null;
    c.resolve({
      status: c.status,
      ms: performance.now() - c.t0,
      bytes: c.bytes,
      body: c.body ? Buffer.concat(c.body) : null,
      frameTimes: c.frameTimes,
    });
  }
}
