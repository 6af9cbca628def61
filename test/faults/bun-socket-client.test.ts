import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/spawn-cli.js';
import { selfSigned } from './self-signed.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tokometer-socket-'));
const pem = selfSigned(dir);

/** Runs a scenario script (test/faults/SCRIPT) under Bun and returns what it printed. */
function scenarios(args: string[], env: Record<string, string> = {}, script = 'bun-socket-scenarios.ts'): Record<string, any> {
  const bun = path.join(REPO_ROOT, 'node_modules', '.bin', 'bun');
  const out = execFileSync(bun, [path.join(REPO_ROOT, 'test', 'faults', script), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

/**
 * The Bun edge's upstream client on its own sockets (server/bun-socket-upstream.ts), against
 * servers that answer in every framing HTTP/1.1 allows and fail in the ways connections
 * fail. The proxy-level behaviour (status codes, records) is the fault suite's
 * (bun-upstream-faults.test.ts); this is the protocol underneath.
 */
describe('the Bun socket upstream client', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const r = scenarios([pem.cert, pem.key], { NODE_EXTRA_CA_CERTS: pem.cert });

  it('keeps one connection alive across calls and sends Host and Content-Length itself', () => {
    expect(r.keepAlive.bodies).toEqual(Array(5).fill('{"ok":true}'));
    expect(r.keepAlive.connections).toBe(1);
    expect(r.keepAlive.firstRequest).toMatch(/^POST \/v1\/chat\?x=1 HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\ncontent-type: application\/json\r\nauthorization: Bearer sk-test\r\ncontent-length: 13\r\n\r\n\{"model":"m"\}$/);
  });

  it('reads chunked bodies sent a few bytes at a time, streamed or whole, and reuses the connection', () => {
    expect(r.chunked).toEqual({ streamedOk: true, wholeOk: true, connections: 1 });
  });

  it('reads a body without length to the end of the connection, and never reuses that connection', () => {
    expect(r.untilClose).toEqual({ first: 'data: one\n\ndata: two\n\n', second: 'data: one\n\ndata: two\n\n', connections: 2 });
  });

  it('skips 100 Continue and 103 Early Hints before the real response, also when the heads arrive one byte at a time', () => {
    expect(r.informational).toEqual({ status: 201, body: 'ok', byteByByte: '201 ok' });
  });

  it('opens a new connection when the server closed the last one', () => {
    expect(r.serverCloses).toEqual({ bodies: ['ok', 'ok', 'ok'], connections: 3 });
  });

  it('closes every idle connection once past its keep-alive, and opens a new one for the next call', () => {
    expect(r.poolExpiry).toEqual({ bodies: 'ok,ok,ok,ok,ok,ok,ok,ok', openWhenIdle: 8, openAfterSweep: 0, again: 'ok', connections: 9 });
  });

  it('sends a 5 MB request body whole (writes the socket could not take at once wait for drain)', () => {
    expect(r.largeBody).toEqual({ status: 200, bodyBytesReceived: 5 * 1024 * 1024 });
  });

  it('fails a body cut short, a response that is not HTTP, a header with a line break, a refused port', () => {
    expect(r.cutBody).toEqual({ status: 200, bytes: 'UpstreamError: connection closed before the body ended', read: 'UpstreamError: connection closed before the body ended' });
    expect(r.malformed).toBe('UpstreamError: malformed response: not an HTTP/1.x status line: "SSH-2.0-OpenSSH_9.2"');
    expect(r.headerInjection).toBe("UpstreamError: header 'x-evil' has a line break in its name or value");
    expect(r.refused).toBe('UpstreamError: ECONNREFUSED');
  });

  it('gives up on a server that never answers after the headers timeout, and at once when the call is aborted', () => {
    expect(r.headersTimeout.error).toBe('UpstreamError: headers timeout');
    expect(r.headersTimeout.ms).toBeGreaterThanOrEqual(190);
    expect(r.headersTimeout.ms).toBeLessThan(900);
    expect(r.aborted).toBe('UpstreamError: AbortError');
  });

  it('hands a 4 MB body to a slow reader whole and in order', () => {
    expect(r.slowReader).toEqual({ bytes: 4 * 1024 * 1024, allX: true });
  });

  it('speaks TLS to a server whose certificate verifies (here through NODE_EXTRA_CA_CERTS)', () => {
    expect(r.tls).toBe('tls POST {"model":"m"}');
  });

  it('refuses a TLS server whose certificate does not verify', () => {
    const untrusted = scenarios([pem.cert, pem.key, 'tls-only']);
    expect(untrusted.tls).toMatch(/^UpstreamError: .*(SELF_SIGNED|CERT|certificate)/i);
    expect(untrusted.tlsReachedProvider, 'a call refused before its request was written is not billed').toBe(false);
  });
});

describe('the Bun socket upstream client where connections misbehave', () => {
  const r = scenarios([], {}, 'bun-socket-edge-scenarios.ts');

  it('reads a large JSON body whole when more than its high-water mark arrived before it was asked for', () => {
    // The socket paused with nobody reading, and bytes() never resumed it: the call hung until the body timeout.
    expect(r.bytesAfterPause.body).toBe(`${1024 * 1024} bytes`);
    expect(r.bytesAfterPause.ms).toBeLessThan(1500);
  });

  it('closes the socket when the connect timeout passes mid-handshake, and counts the call as never sent', () => {
    expect(r.handshakeNeverCompletes).toEqual({ error: 'UpstreamError: connect timeout', reachedProvider: false, openAfter: 0 });
  });

  it('gives up connecting as soon as the call is aborted, and closes the socket', () => {
    expect(r.abortedWhileConnecting.error).toBe('UpstreamError: AbortError');
    expect(r.abortedWhileConnecting.ms).toBeLessThan(1000);
    expect(r.abortedWhileConnecting.openAfter).toBe(0);
  });

  it('a stream cut before its reader caught up: every frame sent before the cut is still read, then the error', () => {
    // Bun's fetch (the fetch client, bun-upstream.ts) drops these frames: the relay and the meter never see them.
    expect(r.cutBeforeRead).toEqual({ body: expect.stringContaining('data: {"n":4}'), error: 'UpstreamError: ECONNRESET', allFrames: true });
  });
});
