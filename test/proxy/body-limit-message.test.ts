import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { IncomingCall, OutgoingResponse } from '../../src/proxy/types.js';
import { bodyText, fixture, jsonAnswer, SECRET } from './fakes.js';

/**
 * The 413 for a body over limits.max_body_bytes says what to do: send less, or raise the limit
 * (a number of bytes, read when serve starts) in the config; a new-user trial read only
 * "Request body is larger than limits.max_body_bytes (33554432 bytes)." The size is written in
 * MiB too from 1 MiB up. The fakes' fixture sets the limit to 1 MiB.
 */
const ASK = { model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'x'.repeat(2 << 20) }] };

function call(body: Uint8Array, encoding?: string): IncomingCall {
  const headers: Record<string, string> = { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json', 'content-length': String(body.length) };
  if (encoding !== undefined) headers['content-encoding'] = encoding;
  return { method: 'POST', url: '/proxy/openai/chat/completions', headers, readBody: async (limit) => (body.length > limit ? null : body), signal: new AbortController().signal };
}

async function message(res: OutgoingResponse): Promise<string> {
  expect(res.status).toBe(413);
  return (JSON.parse(await bodyText(res)) as { error: { message: string } }).error.message;
}

const NEXT = 'Send a smaller request, or raise limits.max_body_bytes (a size in bytes) in the config and restart serve.';

describe('the 413 for a body over limits.max_body_bytes', () => {
  it('gives the limit in bytes and MiB and says how to raise it', async () => {
    const f = fixture(() => jsonAnswer('{}'));
    const res = await f.handle(call(new TextEncoder().encode(JSON.stringify(ASK))));
    expect(await message(res)).toBe(`Request body is larger than limits.max_body_bytes (1048576 bytes, 1 MiB). ${NEXT}`);
    expect(f.upstream.requests).toEqual([]);
  });

  it('says the same of a body that grows past it once decoded', async () => {
    const f = fixture(() => jsonAnswer('{}'));
    const res = await f.handle(call(gzipSync(JSON.stringify(ASK)), 'gzip'));
    expect(await message(res)).toBe(`Request body is larger than limits.max_body_bytes (1048576 bytes, 1 MiB) once decoded (Content-Encoding: gzip). ${NEXT}`);
  });
});
