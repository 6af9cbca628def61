import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/spawn-cli.js';

/** Runs bun-edge-answers-scenarios.ts under Bun and returns what it printed. */
function scenarios(): Record<string, any> {
  const bun = path.join(REPO_ROOT, 'node_modules', '.bin', 'bun');
  const out = execFileSync(bun, [path.join(REPO_ROOT, 'test', 'faults', 'bun-edge-answers-scenarios.ts')], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').at(-1) as string);
}

/**
 * The Bun edge (Bun.serve + the socket upstream client, the handler on fake dependencies):
 * every answer is recorded once and its budget reservation settled, also the ones without a
 * body, the ones the edge cannot send, and a call whose client left while connecting.
 */
describe('the Bun edge records every answer once', () => {
  const r = scenarios();

  it('a provider answer without a body (204) is recorded ok, not upstream_failed with an estimate', () => {
    // Bun cancels (never pulls) the direct stream of a 204/304 or HEAD response.
    expect(r.noContent204.clientStatus).toBe(204);
    expect(r.noContent204.records).toHaveLength(1);
    // Its usage is unknown, and its error says why (the answer had no body to read usage from).
    expect(r.noContent204.records[0]).toMatchObject({ outcome: 'ok', status: 204, usageSource: 'unknown', error: 'usage unknown: the answer had no body' });
  });

  it('a HEAD call the provider answers 200 is recorded ok, not upstream_failed', () => {
    expect(r.head.clientStatus).toBe(200);
    expect(r.head.records).toHaveLength(1);
    expect(r.head.records[0]).toMatchObject({ outcome: 'ok', status: 200, error: null });
  });

  it.each(['status600', 'invalidHeaderName'])('a provider answer no client can be given (%s) is a 502, recorded once, its reservation settled and the provider connection closed', (name) => {
    const s = r[name];
    expect(s.clientStatus).toBe(502);
    expect(s.reserved).toBe(1);
    expect(s.records, 'the call is recorded once').toHaveLength(1);
    expect(s.records[0]).toMatchObject({ outcome: 'upstream_failed' });
    expect(s.records[0].error).toMatch(/malformed response/);
    expect(s.settled, 'the reservation is released').toBe(1);
    expect(s.providerConnectionsOpen, 'the upstream stream is cancelled').toBe(0);
  });

  it('an answer the edge itself cannot build (a bare CR in a header value) is a 500, still recorded once, settled, and the provider connection closed', () => {
    // The relayed body was never pumped nor cancelled: no record, the reservation held, the connection left open.
    const s = r.bareCrValue;
    expect(s.clientStatus).toBe(500);
    expect(s.records).toHaveLength(1);
    expect(s.records[0]).toMatchObject({ outcome: 'upstream_failed' });
    expect(s.records[0].error).toMatch(/the answer could not be sent/);
    expect(s.settled).toBe(1);
    expect(s.providerConnectionsOpen).toBe(0);
  });

  it('a client that leaves while the proxy connects to the provider (nothing written) is not charged an estimate', () => {
    const s = r.leftWhileConnecting;
    expect(s.records).toHaveLength(1);
    expect(s.records[0]).toMatchObject({ outcome: 'client_aborted', usageSource: 'not_metered', costNano: 0 });
  });
});
