import { describe, expect, it } from 'vitest';
import type { BodyObservation } from '../../src/proxy/observation.js';
import { sourceOf } from '../../src/proxy/stream-body.js';
import { relayChat } from './fakes.js';

/**
 * The SSE framer holds back a frame whose last byte so far is a CR: the next byte may be the
 * LF of a CRLF that belongs to it. When the body ends normally `end` hands it on; these are
 * the other ends (the upstream fails, the client leaves), where the frame is whole all the
 * same and must be observed, and sent when the relay held it back.
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

const CONTENT = 'data: {"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null}';
const USAGE_CHUNK = 'data: {"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":7,"completion_tokens":3}}';

interface RelayRun {
  client: string;
  completed: boolean | null;
  seen: BodyObservation | null;
}

/** Relays `reads` (then the upstream fails, or the client leaves before the body ends) with the client having asked for usage itself (no strip). */
async function relayThen(reads: string[], after: 'upstream fails' | 'client leaves', stripInjectedUsage = false): Promise<RelayRun> {
  const run: RelayRun = { client: '', completed: null, seen: null };
  const bodyEnd = { open: () => {} };
  const held = new Promise<void>((resolve) => (bodyEnd.open = resolve));
  const source = sourceOf(
    (async function* () {
      for (const r of reads) yield enc.encode(r);
      if (after === 'upstream fails') throw Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
      await held;
    })(),
  );
  let writes = 0;
  const body = relayChat(source, {
    prepared: { stripInjectedUsage },
    onFinished: (completed, _error, seen) => {
      run.completed = completed;
      run.seen = seen;
    },
  });
  const pumped = body
    .pump((chunk) => {
      run.client += dec.decode(chunk);
      // The client (an SDK) stops reading once it has every frame it was sent, and leaves.
      if (after === 'client leaves' && ++writes === reads.length) queueMicrotask(() => body.cancel());
    })
    .catch(() => {});
  if (after === 'client leaves') {
    await new Promise((r) => setTimeout(r, 20));
    bodyEnd.open();
  }
  await pumped;
  return run;
}

describe('relayBody: a frame whole but for the byte after its last CR, when the body ends abnormally', () => {
  it('CR-delimited stream, upstream fails after the usage chunk: the usage the client received is recorded', async () => {
    const run = await relayThen([`${CONTENT}\r\r`, `${USAGE_CHUNK}\r\r`], 'upstream fails');
    expect(run.client.startsWith(`${CONTENT}\r\r${USAGE_CHUNK}\r\r`), 'the client got the usage chunk').toBe(true);
    // Its last CR was held back (it may be half of a CRLF) and the chunk never observed: usage estimated.
    expect(run.seen?.observed?.usage).toMatchObject({ inputTokens: 7, outputTokens: 3 });
  });

  it('CRLF stream whose last read ends between the final CR and LF, upstream fails: the usage is recorded', async () => {
    const run = await relayThen([`${CONTENT}\r\n\r\n`, `${USAGE_CHUNK}\r\n\r`], 'upstream fails');
    expect(run.seen?.observed?.usage).toMatchObject({ inputTokens: 7, outputTokens: 3 });
  });

  it('CR-delimited stream, strip on, upstream fails: a complete content frame still reaches the client', async () => {
    const run = await relayThen([`${CONTENT}\r\r`], 'upstream fails', true);
    // It was held back and dropped: the client got only "\n\n" and the error frame.
    expect(run.client.startsWith(`${CONTENT}\r\r`)).toBe(true);
    // The frame was whole, so the error frame follows it directly, itself whole.
    expect(run.client.slice(CONTENT.length + 2)).toMatch(/^data: \{"error":.*\}\n\n$/s);
    expect(run.completed).toBe(false);
  });

  it('CR-delimited stream: a client that leaves after reading data: [DONE] is recorded complete (as with LF)', async () => {
    const lf = await relayThen([`${CONTENT}\n\n`, `${USAGE_CHUNK}\n\ndata: [DONE]\n\n`], 'client leaves');
    expect(lf.completed, 'LF control').toBe(true);
    const cr = await relayThen([`${CONTENT}\r\r`, `${USAGE_CHUNK}\r\rdata: [DONE]\r\r`], 'client leaves');
    expect(cr.client.endsWith('data: [DONE]\r\r')).toBe(true);
    // [DONE]'s frame was held back, so the call was recorded client_aborted.
    expect(cr.completed).toBe(true);
  });
});
