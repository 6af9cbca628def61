import * as zlib from 'node:zlib';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IncomingCall, OutgoingResponse } from '../../src/proxy/types.js';
import { afterImmediates, bodyText, chatCall, fixture, jsonAnswer, SECRET } from './fakes.js';

const CHAT = readFileSync(new URL('../fixtures/openai/chat.json', import.meta.url), 'utf8');

/**
 * A request body with a Content-Encoding (gzip) is opaque to the proxy: parseJsonBody
 * sees no JSON, so the model is unknown, the key's model allow-list is skipped and the
 * budget estimate has no output limit, and the body goes to the provider with its
 * Content-Encoding header. A body the proxy cannot read is refused with a clear error
 * (or read after decoding), never forwarded past the checks.
 */
describe('a compressed request body', () => {
  it('cannot get a model past the key allow-list', async () => {
    const f = fixture(() => jsonAnswer(CHAT), { models: ['gpt-4o-mini'] });
    const body = gzipSync(JSON.stringify({ model: 'o1-pro', messages: [{ role: 'user', content: 'hi' }] }));
    const res = await f.handle({
      method: 'POST',
      url: '/proxy/openai/chat/completions',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
      readBody: async () => new Uint8Array(body),
      signal: new AbortController().signal,
    });
    expect(f.upstream.requests, 'forwarded to the provider').toEqual([]);
    expect([403, 415, 400]).toContain(res.status);
  });
});

const ASK = { model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: 'Capital of France?' }] };
const PLAIN = new TextEncoder().encode(JSON.stringify(ASK));
const zstdDecompress = (zlib as { zstdDecompressSync?: unknown }).zstdDecompressSync;

/** A chat call whose body is `body` as sent, with `Content-Encoding: encoding`. */
function encodedCall(body: Uint8Array, encoding: string): IncomingCall {
  return {
    method: 'POST',
    url: '/proxy/openai/chat/completions',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json', 'content-encoding': encoding, 'content-length': String(body.length) },
    readBody: async (limit) => (body.length > limit ? null : body),
    signal: new AbortController().signal,
  };
}

/** The error object of a refusal in OpenAI's shape. */
async function openAiError(res: OutgoingResponse): Promise<{ message: string; type: string; code: string }> {
  return JSON.parse(await bodyText(res)).error;
}

describe('a compressed request body is decoded, then described, checked, metered and forwarded as plain JSON', () => {
  it('gzip: metered like the plain body, forwarded decoded without Content-Encoding', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const res = await f.handle(encodedCall(gzipSync(PLAIN), 'gzip'));
    expect(res.status).toBe(200);
    expect(await bodyText(res)).toBe(CHAT);
    const plain = fixture(() => jsonAnswer(CHAT));
    await bodyText(await plain.handle(chatCall(ASK)));
    await afterImmediates();

    const sent = f.upstream.requests[0]!;
    expect(new TextDecoder().decode(sent.body as Uint8Array)).toBe(JSON.stringify(ASK));
    expect(sent.headers['content-encoding']).toBeUndefined();
    expect(sent.headers['content-length']).toBeUndefined();
    expect(f.gate.requests[0]).toMatchObject({ model: 'gpt-4o-mini', maxOutputTokens: 64, promptBytes: PLAIN.length });
    const r = f.records[0]!;
    const same = plain.records[0]!;
    expect(r).toMatchObject({ outcome: 'ok', status: 200, modelRequested: 'gpt-4o-mini', maxOutputTokens: 64, promptBytes: PLAIN.length });
    expect(r.requestHash).toBe(same.requestHash);
    expect(r.costNano).toBe(same.costNano);
    expect(r.usage).toEqual(same.usage);
  });

  it('gzip: the key model allow-list applies to the decoded body (x-gzip too)', async () => {
    const f = fixture(() => jsonAnswer(CHAT), { models: ['gpt-4o'] });
    for (const encoding of ['gzip', 'x-gzip', 'GZIP']) {
      const res = await f.handle(encodedCall(gzipSync(PLAIN), encoding));
      expect(res.status).toBe(403);
      expect((await openAiError(res)).message).toBe("Key 'app' may not use model 'gpt-4o-mini' (allowed: gpt-4o).");
    }
    expect(f.upstream.requests).toEqual([]);
  });

  it('deflate (zlib format, and raw deflate as some clients send it), br, and stacked codings', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const cases: Array<[Uint8Array, string]> = [
      [deflateSync(PLAIN), 'deflate'],
      [deflateRawSync(PLAIN), 'deflate'],
      [brotliCompressSync(PLAIN), 'br'],
      [brotliCompressSync(gzipSync(PLAIN)), 'gzip, br'],
      [PLAIN, 'identity'],
    ];
    for (const [body, encoding] of cases) {
      const res = await f.handle(encodedCall(body, encoding));
      expect(res.status, encoding).toBe(200);
      await bodyText(res);
    }
    expect(f.upstream.requests.map((r) => new TextDecoder().decode(r.body as Uint8Array))).toEqual(cases.map(() => JSON.stringify(ASK)));
    expect(f.upstream.requests.every((r) => r.headers['content-encoding'] === undefined)).toBe(true);
    expect(f.gate.requests.map((r) => r.model)).toEqual(cases.map(() => 'gpt-4o-mini'));
  });

  it('zstd where node:zlib has it (Bun, Node 22.15+), else 415 naming it and what to send', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    if (typeof zstdDecompress === 'function') {
      const compress = (zlib as unknown as { zstdCompressSync: (b: Uint8Array) => Uint8Array }).zstdCompressSync;
      const res = await f.handle(encodedCall(compress(PLAIN), 'zstd'));
      expect(res.status).toBe(200);
      expect(f.gate.requests[0]?.model).toBe('gpt-4o-mini');
      return;
    }
    const res = await f.handle(encodedCall(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd]), 'zstd'));
    expect(res.status).toBe(415);
    expect(res.headers['accept-encoding']).toBe('gzip, deflate, br');
    const error = await openAiError(res);
    expect(error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_content_encoding' });
    expect(error.message).toContain("Content-Encoding 'zstd' cannot be decoded");
    expect(error.message).toContain('Send the request body uncompressed, or with Content-Encoding gzip, deflate or br.');
    expect(f.upstream.requests).toEqual([]);
  });
});

describe('a compressed request body the proxy cannot read is refused in the provider shape, never forwarded', () => {
  it('a zip bomb stops at limits.max_body_bytes: 413', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    // 4 MiB of spaces after the JSON: a few KiB compressed, four times the fixture's 1 MiB limit.
    const bomb = gzipSync(Buffer.concat([Buffer.from(JSON.stringify(ASK)), Buffer.alloc(4 << 20, 0x20)]));
    expect(bomb.length).toBeLessThan(1 << 20);
    const res = await f.handle(encodedCall(bomb, 'gzip'));
    expect(res.status).toBe(413);
    expect((await openAiError(res)).message).toBe('Request body is larger than limits.max_body_bytes (1048576 bytes, 1 MiB) once decoded (Content-Encoding: gzip). Send a smaller request, or raise limits.max_body_bytes (a size in bytes) in the config and restart serve.');
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'refused', status: 413 });
    expect(f.upstream.requests).toEqual([]);
  });

  it('an unknown coding: 415 naming it, with Accept-Encoding', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const res = await f.handle(encodedCall(PLAIN, 'compress'));
    expect(res.status).toBe(415);
    expect(res.headers['accept-encoding']).toMatch(/^gzip, deflate, br/);
    const error = await openAiError(res);
    expect(error.message).toMatch(/^Content-Encoding "compress" is not supported by tokometer, which must read the body to meter it\. Send the request body uncompressed, or with Content-Encoding gzip, deflate,? (br )?or (br|zstd)\.$/);
    await afterImmediates();
    expect(f.records[0]).toMatchObject({ outcome: 'refused', status: 415 });
    expect(f.upstream.requests).toEqual([]);
  });

  it('more stacked codings than it decodes: 415', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const res = await f.handle(encodedCall(PLAIN, 'gzip, gzip, gzip'));
    expect(res.status).toBe(415);
    expect((await openAiError(res)).message).toContain('stacks 3 codings; tokometer decodes at most 2.');
  });

  it('a corrupt gzip body: 400 saying so', async () => {
    const f = fixture(() => jsonAnswer(CHAT));
    const corrupt = gzipSync(PLAIN);
    corrupt[corrupt.length - 6]! ^= 0xff; // the CRC
    for (const body of [corrupt, gzipSync(PLAIN).subarray(0, 20), PLAIN]) {
      const res = await f.handle(encodedCall(body, 'gzip'));
      expect(res.status).toBe(400);
      const error = await openAiError(res);
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toMatch(/^Request body is not valid gzip data \(.+\), as its Content-Encoding says; send it uncompressed or encoded correctly\.$/);
    }
    expect(f.upstream.requests).toEqual([]);
  });
});
