import { readFileSync } from 'node:fs';
import { startForSuite } from '../support/suite-resource.js';
import { budgetExceededError } from '../../src/budget/errors.js';
import type { BudgetGate } from '../../src/proxy/deps.js';
import { sseFrames, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { startHarness, waitFor, type CallRow, type Harness } from '../support/proxy-harness.js';

/**
 * What the official-SDK suites (test/e2e/*-sdk.test.ts) share: the recorded provider
 * responses, the fake provider's streamed replies, a capped-key budget gate, and one proxy
 * harness per suite with the SDK client built on it. The assertions stay in the suites.
 */

/** The text of a recorded provider response, test/fixtures/PROVIDER/NAME. */
export function fixture(provider: string, name: string): string {
  return readFileSync(new URL(`../fixtures/${provider}/${name}`, import.meta.url), 'utf8');
}

/**
 * A streamed reply of the fake provider: the frames of `body` (SSE text, split after each
 * blank line, or frames already split) sent one after the other, `delayMs` (default 1) apart.
 */
/** Reads `stream` to its end and gives what it threw (undefined when it ended cleanly): how an app meets a stream's error. */
export async function errorOfStream(stream: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _chunk of stream) void _chunk;
  } catch (error) {
    return error;
  }
  return undefined;
}

export function sseReply(body: string | string[], options: { contentType?: string; delayMs?: number } = {}): Reply {
  return {
    headers: { 'content-type': options.contentType ?? 'text/event-stream' },
    body: typeof body === 'string' ? sseFrames(body) : body,
    delayMs: options.delayMs ?? 1,
  };
}

/**
 * A budget gate for a harness without a budget ledger: refuses every call of key 'capped'
 * with the real budget error of a $0.001 (1,000,000 nano-USD) daily key budget of which
 * `spentNano` is spent, resetting `resetInMs` after the call; lets every other key through.
 */
export function cappedKeyGate(o: { spentNano: number; estimateNano: number; resetInMs: number }): BudgetGate<undefined> {
  return {
    reserve: (req) => {
      if (req.keyName !== 'capped') return { ok: true, reservation: undefined };
      const block = { name: 'capped', kind: 'key', per: null, tagValue: null, limitNano: 1_000_000, spentNano: o.spentNano, reservedNano: 0, estimateNano: o.estimateNano } as const;
      return { ok: false, error: budgetExceededError({ ...block, period: 'day', resetAt: req.at + o.resetInMs, reason: 'exhausted', at: req.at }) };
    },
    settle: () => {},
  };
}

/** A suite's harness (see sdkHarness), with its SDK client and the lookups every SDK suite makes. */
export type SdkHarness<C> = Harness & {
  /** The SDK client under test, built on the harness's base URL and metering key. */
  readonly client: C;
  /** The newest stored call row (flushes the write queue first). */
  lastRow(): CallRow;
  /** The newest request the fake provider received. */
  lastUpstream(): ReceivedRequest;
  /** Waits (up to 5 s) until a call finished after `before` records were made, and returns the newest stored row. */
  rowAfter(before: number): Promise<CallRow>;
};

/**
 * Starts a harness (startHarness `options`) for the calling describe (startForSuite), builds the
 * SDK client with `makeClient`, and closes it all in afterAll. The members are filled in
 * when the suite starts: read them only inside tests and hooks.
 */
export function sdkHarness<C>(options: Parameters<typeof startHarness>[0], makeClient: (h: Harness) => C): SdkHarness<C> {
  const suite = {
    lastRow: () => suite.rows().at(-1) as CallRow,
    lastUpstream: () => suite.fake.requests.at(-1) as ReceivedRequest,
    rowAfter: async (before: number) => {
      await waitFor(() => suite.records.length > before, 5000, 'call record');
      return suite.lastRow();
    },
  } as SdkHarness<C>;
  startForSuite(async () => {
    const started = await startHarness(options);
    Object.assign(suite, started, { client: makeClient(started) });
    return started;
  });
  return suite;
}
