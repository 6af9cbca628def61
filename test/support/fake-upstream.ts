import type { IncomingMessage } from 'node:http';
import { listenLoopback, type LoopbackServer } from './loopback-server.js';

/** Headers that carry a provider credential, none of which a keyless provider may get. */
const CREDENTIAL_HEADERS = ['authorization', 'api-key', 'x-api-key', 'x-goog-api-key'] as const;

/** What the fake upstream received. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

/** One scripted reply. Bodies are sent as given; `chunks` splits them into pieces with `delayMs` between. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A complete body, or SSE/stream pieces sent one after the other. */
  body: string | string[];
  /** Re-split the concatenated body into chunks of this many bytes (tests chunk-boundary handling). */
  chunkBytes?: number;
  /** ms between chunks. */
  delayMs?: number;
  /** Stop after this many chunks and destroy the socket (a cut stream). */
  cutAfterChunks?: number;
  /** Sends the first chunk, then waits for this before the rest (a provider that thinks until the test says so). */
  hold?: Promise<unknown>;
}

export interface FakeUpstreamOptions {
  /** The upstream key every request must carry (checked with `authHeader`). */
  expectedKey: string;
  /**
   * Header that carries the key; default authorization with "Bearer ". `api-key` (Azure
   * OpenAI's header) must come without an Authorization header beside it; `none` (a keyless
   * server: ollama, vLLM) means no credential header at all may arrive.
   */
  authHeader?: 'authorization' | 'x-api-key' | 'x-goog-api-key' | 'api-key' | 'none';
  /** Picks the reply for a request; returning undefined is a loud failure. */
  reply: (req: ReceivedRequest) => Reply | undefined;
}

/**
 * An HTTP server on 127.0.0.1, port 0, standing in for a provider. It records every
 * request, checks that the real upstream key arrived and that tokometer's own headers
 * did not, and answers 599 plus an entry in `problems` on anything unexpected.
 */
export class FakeUpstream {
  readonly requests: ReceivedRequest[] = [];
  readonly problems: string[] = [];
  private server: LoopbackServer | null = null;
  url = '';

  constructor(private readonly options: FakeUpstreamOptions) {}

  async start(): Promise<this> {
    this.server = await listenLoopback((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = body ? JSON.parse(body) : undefined;
        } catch {
          json = undefined;
        }
        const received: ReceivedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
        this.requests.push(received);
        const problem = this.check(received);
        const reply = problem ? undefined : this.options.reply(received);
        if (problem || !reply) {
          const message = problem ?? `no reply scripted for ${received.method} ${received.url}`;
          this.problems.push(message);
          res.writeHead(599, { 'content-type': 'text/plain' }).end(message);
          return;
        }
        void this.send(res, reply);
      });
    });
    this.url = this.server.url;
    return this;
  }

  private check(req: ReceivedRequest): string | null {
    const header = this.options.authHeader ?? 'authorization';
    if (header === 'none') {
      const sent = CREDENTIAL_HEADERS.filter((name) => req.headers[name] !== undefined);
      return sent.length > 0 ? `a credential reached a keyless provider in ${sent.join(', ')}` : this.checkTokometerHeaders(req);
    }
    if (header === 'api-key' && req.headers.authorization !== undefined) return 'an Authorization header reached a provider that takes api-key';
    const got = req.headers[header];
    const want = header === 'authorization' ? `Bearer ${this.options.expectedKey}` : this.options.expectedKey;
    if (got !== want) return `wrong upstream credential in ${header}: ${String(got).slice(0, 12)}…`;
    return this.checkTokometerHeaders(req);
  }

  /** What never reaches a provider, whatever its credential: the tags header and a metering key. */
  private checkTokometerHeaders(req: ReceivedRequest): string | null {
    if (req.headers['x-metering-tags'] !== undefined) return 'x-metering-tags reached the provider';
    if (/mk_[0-9A-Za-z]{32}/.test(JSON.stringify(req.headers) + req.url)) return 'a metering key reached the provider';
    return null;
  }

  private async send(res: import('node:http').ServerResponse, reply: Reply): Promise<void> {
    const pieces = splitBody(reply);
    const streamed = Array.isArray(reply.body) || reply.chunkBytes !== undefined || reply.delayMs !== undefined || reply.hold !== undefined;
    const headers = { 'content-type': 'application/json', ...(reply.headers ?? {}) };
    if (!streamed) {
      res.writeHead(reply.status ?? 200, headers).end(Buffer.concat(pieces));
      return;
    }
    res.writeHead(reply.status ?? 200, headers);
    res.flushHeaders();
    for (let i = 0; i < pieces.length; i++) {
      if (reply.cutAfterChunks !== undefined && i >= reply.cutAfterChunks) {
        res.destroy();
        return;
      }
      if (res.destroyed) return;
      res.write(pieces[i]);
      if (i === 0 && reply.hold) await reply.hold;
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    }
    res.end();
  }

  /** Stops the server and cuts every open connection. */
  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

function splitBody(reply: Reply): Buffer[] {
  const pieces = (Array.isArray(reply.body) ? reply.body : [reply.body]).map((p) => Buffer.from(p, 'utf8'));
  if (reply.chunkBytes === undefined) return pieces;
  const all = Buffer.concat(pieces);
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += reply.chunkBytes) out.push(all.subarray(i, i + reply.chunkBytes));
  return out;
}

/** Splits an SSE fixture into its frames (each with its blank line), for streaming frame by frame. */
export function sseFrames(text: string): string[] {
  return text.split(/(?<=\n\n)/).filter((f) => f.length > 0);
}
