import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, type LoopbackServer } from './loopback-server.js';

/**
 * What the faulty provider does with the next request. A `stream` cut after `cutAfter`
 * frames waits for `cutWhen` first, when given: a test resolves it once the client has the
 * frames sent before the cut, so the cut never races their relay.
 */
export type Fault =
  | { kind: 'reset' } // destroy the socket before any response
  | { kind: 'stall-headers' } // never answer
  | { kind: 'status'; status: number; body: string; contentType?: string; delayMs?: number } // an ordinary (error) response, after `delayMs` (a model thinking)
  | { kind: 'stream'; frames: string[]; delayMs?: number; cutAfter?: number; cutWhen?: Promise<unknown>; stallAfter?: number } // SSE, optionally cut or stalled
  | { kind: 'garbage'; body: string }; // 200 with a body that is not what it claims

/**
 * A provider that misbehaves on purpose, on 127.0.0.1. Every request takes the fault
 * returned by `next`; the server records requests and whether their sockets closed
 * early (so tests can check that tokometer cancelled the upstream request).
 */
export class FaultUpstream {
  url = '';
  readonly requests: Array<{ url: string; body: string; closedEarly: boolean }> = [];
  private server: LoopbackServer | null = null;

  constructor(private readonly next: (req: IncomingMessage, body: string) => Fault) {}

  async start(): Promise<this> {
    this.server = await listenLoopback((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const entry = { url: req.url ?? '', body, closedEarly: false };
        this.requests.push(entry);
        res.on('close', () => {
          if (!res.writableFinished) entry.closedEarly = true;
        });
        void this.serve(this.next(req, body), res);
      });
    });
    this.url = this.server.url;
    return this;
  }

  private async serve(fault: Fault, res: ServerResponse): Promise<void> {
    switch (fault.kind) {
      case 'reset':
        res.socket?.destroy();
        return;
      case 'stall-headers':
        return;
      case 'status':
        if (fault.delayMs !== undefined) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (res.destroyed) return;
        res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'application/json' }).end(fault.body);
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end(fault.body);
        return;
      case 'stream': {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.flushHeaders();
        for (let i = 0; i < fault.frames.length; i++) {
          if (fault.cutAfter !== undefined && i >= fault.cutAfter) {
            // A test that needs the frames before the cut delivered first (not merely sent) waits for that here.
            if (fault.cutWhen !== undefined) await fault.cutWhen;
            res.socket?.destroy();
            return;
          }
          if (fault.stallAfter !== undefined && i >= fault.stallAfter) return;
          if (res.destroyed) return;
          res.write(fault.frames[i]);
          if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        }
        res.end();
      }
    }
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}
