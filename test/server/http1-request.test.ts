import { describe, expect, it } from 'vitest';
import { CallCancel } from '../../src/lib/cancel.js';
import type { UpstreamRequest } from '../../src/proxy/types.js';
import { bodyAfterHead, encodeRequest, ONE_WRITE_MAX_BYTES } from '../../src/server/http1-request.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

function request(headers: Record<string, string>, body: Uint8Array | null, method = 'POST'): UpstreamRequest {
  return { url: 'http://unused', method, headers, body, cancel: new CallCancel(), connectTimeoutMs: 1, headersTimeoutMs: 1, bodyTimeoutMs: 1 };
}

describe('HTTP/1.1 request bytes', () => {
  it('writes the request line, Host, the headers in order, Content-Length and the body', () => {
    const body = new TextEncoder().encode('{"model":"m"}');
    const bytes = encodeRequest(request({ 'content-type': 'application/json', authorization: 'Bearer sk-test' }, body), 'api.example.com:8443', '/v1/chat?x=1');
    expect(text(bytes)).toBe('POST /v1/chat?x=1 HTTP/1.1\r\nhost: api.example.com:8443\r\ncontent-type: application/json\r\nauthorization: Bearer sk-test\r\ncontent-length: 13\r\n\r\n{"model":"m"}');
    expect(bytes.length).toBe(Buffer.byteLength(text(bytes)));
  });

  it('sends no Content-Length without a body, and 0 for an empty one', () => {
    expect(text(encodeRequest(request({ accept: '*/*' }, null, 'GET'), 'h', '/v1/models'))).toBe('GET /v1/models HTTP/1.1\r\nhost: h\r\naccept: */*\r\n\r\n');
    expect(text(encodeRequest(request({}, new Uint8Array(0)), 'h', '/'))).toBe('POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n');
  });

  it('writes the head a byte per character (Latin-1): header values come from the edge a byte per character, so UTF-8 bytes go out as they came in', () => {
    const body = new TextEncoder().encode('{}');
    // "Café" as UTF-8 (63 61 66 C3 A9), read by the edge one character per byte.
    for (const b of [body, new Uint8Array(ONE_WRITE_MAX_BYTES + 1)]) {
      const bytes = encodeRequest(request({ 'x-title': 'Caf\xc3\xa9' }, b), 'h', '/v1');
      const head = Buffer.from(bytes).toString('latin1');
      expect(head.startsWith(`POST /v1 HTTP/1.1\r\nhost: h\r\nx-title: Caf\xc3\xa9\r\ncontent-length: ${b.length}\r\n\r\n`)).toBe(true);
      const at = head.indexOf('Caf');
      expect([...bytes.subarray(at, at + 5)]).toEqual([0x43, 0x61, 0x66, 0xc3, 0xa9]);
    }
  });

  it('refuses a header character that is not a byte (past U+00FF), as fetch does', () => {
    expect(() => encodeRequest(request({ 'x-title': 'Café ☕' }, null), 'h', '/v1')).toThrow(/not a byte/);
  });

  it('leaves a body larger than one write out (the caller writes it next), but counts it', () => {
    const body = new Uint8Array(ONE_WRITE_MAX_BYTES + 1);
    const bytes = encodeRequest(request({}, body), 'h', '/');
    expect(text(bytes)).toBe(`POST / HTTP/1.1\r\nhost: h\r\ncontent-length: ${ONE_WRITE_MAX_BYTES + 1}\r\n\r\n`);
    expect(encodeRequest(request({}, new Uint8Array(ONE_WRITE_MAX_BYTES)), 'h', '/').length).toBeGreaterThan(ONE_WRITE_MAX_BYTES);
    // What encodeRequest leaves out is exactly what the caller is told to write next.
    expect(bodyAfterHead(request({}, body))).toBe(body);
    expect(bodyAfterHead(request({}, new Uint8Array(ONE_WRITE_MAX_BYTES)))).toBeNull();
    expect(bodyAfterHead(request({}, null, 'GET'))).toBeNull();
  });

  it('refuses a header whose name or value holds CR, LF or NUL', () => {
    expect(() => encodeRequest(request({ 'x-evil': 'a\r\nx-injected: 1' }, null), 'h', '/')).toThrow("header 'x-evil' has a line break in its name or value");
    expect(() => encodeRequest(request({ 'x-e\nvil': 'a' }, null), 'h', '/')).toThrow("header 'x-evil' has a line break");
    expect(() => encodeRequest(request({ 'x-nul': 'a\0b' }, null), 'h', '/')).toThrow(/line break/);
  });
});
