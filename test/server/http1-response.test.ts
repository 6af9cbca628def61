import { describe, expect, it } from 'vitest';
import { headEnd, MalformedResponse, parseHead } from '../../src/server/http1-response.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const head = (lines: string[], method = 'POST') => parseHead(bytes(lines.join('\r\n')), method);

describe('HTTP/1.1 response heads', () => {
  it('reads status, lower-case headers and a Content-Length body', () => {
    const h = head(['HTTP/1.1 200 OK', 'Content-Type: application/json', 'Content-Length: 12', 'X-Request-Id:  req_1 ']);
    expect(h).toEqual({ status: 200, headers: { 'content-type': 'application/json', 'content-length': '12', 'x-request-id': 'req_1' }, framing: 'length', length: 12, reusable: true });
  });

  it('keeps repeated set-cookie headers apart and joins other repeats with a comma', () => {
    const h = head(['HTTP/1.1 200 OK', 'Set-Cookie: a=1', 'set-cookie: b=2', 'Vary: a', 'Vary: b', 'Content-Length: 0']);
    expect(h.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(h.headers['vary']).toBe('a, b');
  });

  it('frames the body by chunked coding, by Content-Length, or by the end of the connection', () => {
    expect(head(['HTTP/1.1 200 OK', 'Transfer-Encoding: chunked']).framing).toBe('chunked');
    expect(head(['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip, chunked', 'Content-Length: 5']).framing).toBe('chunked');
    const closeDelimited = head(['HTTP/1.1 200 OK', 'Content-Type: text/event-stream']);
    expect(closeDelimited).toMatchObject({ framing: 'close', reusable: false });
    expect(head(['HTTP/1.1 200 OK', 'Transfer-Encoding: gzip'])).toMatchObject({ framing: 'close', reusable: false });
  });

  it('has no body for HEAD, 204 and 304, whatever the headers say', () => {
    expect(head(['HTTP/1.1 200 OK', 'Content-Length: 10'], 'HEAD').framing).toBe('none');
    expect(head(['HTTP/1.1 204 No Content', 'Content-Length: 10']).framing).toBe('none');
    expect(head(['HTTP/1.1 304 Not Modified']).framing).toBe('none');
  });

  it('is reusable unless the server says close (HTTP/1.1) or does not say keep-alive (HTTP/1.0)', () => {
    expect(head(['HTTP/1.1 200 OK', 'Connection: close', 'Content-Length: 0']).reusable).toBe(false);
    expect(head(['HTTP/1.0 200 OK', 'Content-Length: 0']).reusable).toBe(false);
    expect(head(['HTTP/1.0 200 OK', 'Connection: Keep-Alive', 'Content-Length: 0']).reusable).toBe(true);
  });

  it('accepts a repeated identical Content-Length and refuses conflicting or invalid ones', () => {
    expect(head(['HTTP/1.1 200 OK', 'Content-Length: 7, 7']).length).toBe(7);
    expect(() => head(['HTTP/1.1 200 OK', 'Content-Length: 7, 8'])).toThrow(MalformedResponse);
    expect(() => head(['HTTP/1.1 200 OK', 'Content-Length: -1'])).toThrow(/invalid Content-Length/);
  });

  it('refuses what is not an HTTP/1.x head', () => {
    expect(() => head(['SSH-2.0-OpenSSH_9.2'])).toThrow(/not an HTTP\/1.x status line/);
    expect(() => head(['HTTP/2 200'])).toThrow(MalformedResponse);
    expect(() => head(['HTTP/1.1 200 OK', 'no colon here'])).toThrow(/malformed header line 1/);
  });

  it('lower-cases every spelling of a name, across heads and past the name table\'s size', () => {
    // The names are cached by length and three characters (HeaderNames); each spelling must still map to its own lower case.
    for (const spelling of ['Content-Type', 'content-type', 'CONTENT-TYPE', 'Content-TypE', 'Xontent-Type']) {
      expect(Object.keys(head(['HTTP/1.1 200 OK', `${spelling}: a`, 'Content-Length: 0']).headers)).toEqual([spelling.toLowerCase(), 'content-length']);
    }
    const names = Array.from({ length: 3000 }, (_, i) => `X-Header-${i.toString(36)}${i % 2 ? 'A' : 'b'}`);
    for (let i = 0; i < names.length; i += 30) {
      const lines = names.slice(i, i + 30).map((n, j) => `${n}: v${i + j}`);
      const parsed = head(['HTTP/1.1 200 OK', ...lines, 'Content-Length: 0']).headers;
      expect(parsed).toEqual({ ...Object.fromEntries(names.slice(i, i + 30).map((n, j) => [n.toLowerCase(), `v${i + j}`])), 'content-length': '0' });
    }
  });

  it('takes a name with whitespace before its colon as that name, as a proxy must forward it (RFC 9112 §5.1)', () => {
    // Read as 'content-length ' the length was ignored: the body framed by the end of the
    // connection, which a keep-alive server never closes.
    const h = head(['HTTP/1.1 200 OK', 'Content-Length : 5', 'X-A\t: b']);
    expect(h.headers).toEqual({ 'content-length': '5', 'x-a': 'b' });
    expect(h.framing).toBe('length');
    expect(h.length).toBe(5);
    expect(() => head(['HTTP/1.1 200 OK', ': x'])).toThrow(/malformed header line 1/);
  });

  it('refuses a folded header line (obs-fold) with a message that says so: a proxy may answer 502 instead of unfolding (RFC 9112 §5.2)', () => {
    expect(() => head(['HTTP/1.1 200 OK', 'X-Note: first', ' second', 'Content-Length: 0'])).toThrow(/header line 2 is folded onto the line before it \(obs-fold\)/);
    expect(() => head(['HTTP/1.1 200 OK', 'X-Note: first', '\tsecond'])).toThrow(MalformedResponse);
  });

  it('refuses what a client cannot be answered with: a status outside 100-599, a header name that is not a token, a NUL', () => {
    expect(() => head(['HTTP/1.1 600 Odd', 'Content-Length: 0'])).toThrow(/status 600 is outside 100-599/);
    expect(() => head(['HTTP/1.1 099 Low'])).toThrow(MalformedResponse);
    expect(() => head(['HTTP/1.1 200 OK', 'x bad: 1'])).toThrow(/header name "x bad" is not a token/);
    expect(() => head(['HTTP/1.1 200 OK', 'X-\u00e9: 1'])).toThrow(/is not a token/);
    expect(() => head(['HTTP/1.1 200 OK', 'X-A: a\u0000b'])).toThrow(/NUL/);
    // Every token character is a name, also once the spelling is in the name table.
    for (let i = 0; i < 2; i++) expect(head(['HTTP/1.1 200 OK', "X-!#$%&'*+-.^_`|~09az: v"]).headers).toEqual({ "x-!#$%&'*+-.^_`|~09az": 'v' });
  });

  it('trims spaces and tabs around values and keeps empty values', () => {
    const h = head(['HTTP/1.1 200 OK', 'A:\t x y \t', 'B:', 'C:   ', 'Content-Length:\t3\t']);
    expect(h.headers).toEqual({ a: 'x y', b: '', c: '', 'content-length': '3' });
    expect(h.length).toBe(3);
  });

  it('finds the end of a head, also when it started in an earlier buffer', () => {
    const buf = bytes('HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody');
    expect(headEnd(buf, 0)).toBe(21);
    expect(headEnd(buf, 19)).toBe(21);
    expect(headEnd(bytes('HTTP/1.1 200 OK\r\n'), 0)).toBe(-1);
  });
});
