import net from 'node:net';

/**
 * HTTP/1.1 on raw TCP for the edge tests: a provider that records each request head byte
 * for byte, and a client that sends bytes as written. Text here is latin1 (one char per
 * byte), so a test sees exactly the bytes on the wire.
 */

/** A provider on raw TCP that records each request head in `heads` and answers every request with `answer` (a whole raw response). */
export function rawUpstream(heads: string[], answer: string): Promise<{ url: string; stop(): Promise<void> }> {
  const server = net.createServer((socket) => {
    let buf = '';
    socket.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end === -1) return;
      const len = Number(/content-length: *(\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      heads.push(buf.slice(0, end));
      buf = '';
      socket.write(Buffer.from(answer, 'latin1'));
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${port}`, stop: () => new Promise<void>((r) => server.close(() => r())) });
    }),
  );
}

/** Sends `request` (latin1 bytes) to 127.0.0.1:`port` and returns the response head (status line and headers). */
export function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => (c.destroy(), reject(new Error(`no answer: ${out}`))), 5000);
    c.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      const end = out.indexOf('\r\n\r\n');
      if (end !== -1) {
        clearTimeout(timer);
        c.destroy();
        resolve(out.slice(0, end));
      }
    });
    c.on('error', reject);
    c.write(Buffer.from(request, 'latin1'));
  });
}
