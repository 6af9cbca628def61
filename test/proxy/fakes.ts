/**
 * Fake dependencies for driving the proxy handler in-process, with no server, socket,
 * database or runtime edge: the handler is runtime-neutral, so a test hands it an
 * IncomingCall and reads the OutgoingResponse the way an edge would.
 */
import { budgetExceededError } from '../../src/budget/errors.js';
import type { GateResult } from '../../src/budget/gate.js';
import { parseConfigText } from '../../src/config/load.js';
import { providerSettings } from '../../src/config/providers.js';
import type { Pricer } from '../../src/pricing/pricer.js';
import { createOpenAiAdapter } from '../../src/providers/openai.js';
import type { PriceResult } from '../../src/pricing/types.js';
import { buildProviders } from '../../src/providers/registry.js';
import type { ProviderAdapter } from '../../src/providers/types.js';
import { CachedContentSizes } from '../../src/proxy/cached-content-sizes.js';
import type { ResolvedKey } from '../../src/proxy/auth.js';
import type { BudgetGate, BudgetRequest, ProxyDeps } from '../../src/proxy/deps.js';
import { FinishedCalls, type FinishedCall } from '../../src/proxy/finished-calls.js';
import { createHandler } from '../../src/proxy/handler.js';
import { silentLogger } from '../../src/proxy/log.js';
import { Metrics } from '../../src/proxy/metrics.js';
import { relayBody, type RelayContext } from '../../src/proxy/relay.js';
import { sourceOf } from '../../src/proxy/stream-body.js';
import type { ChunkSource, IncomingCall, OutgoingResponse, StreamBody, UpstreamClient, UpstreamRequest, UpstreamResponse } from '../../src/proxy/types.js';
import type { CallRecord } from '../../src/store/types.js';

export const SECRET = 'mk_fakefakefakefakefakefakefakefake';
export const NOW = Date.parse('2026-11-20T12:00:00Z');

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A provider client that answers from a script and remembers what it was asked. */
export class FakeUpstreamClient implements UpstreamClient {
  readonly requests: UpstreamRequest[] = [];
  constructor(private readonly answer: (req: UpstreamRequest) => UpstreamResponse | Promise<UpstreamResponse>) {}
  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    this.requests.push(req);
    return this.answer(req);
  }
  async close(): Promise<void> {}
}

/** A whole JSON answer with Content-Length (the handler's buffered fast path). */
export function jsonAnswer(body: string, status = 200, fail?: Error): UpstreamResponse {
  const bytes = encoder.encode(body);
  return {
    status,
    headers: { 'content-type': 'application/json', 'content-length': String(bytes.length) },
    body: sourceOf(
      (async function* () {
        if (fail) throw fail;
        yield bytes;
      })(),
    ),
    bytes: async () => {
      if (fail) throw fail;
      return bytes;
    },
  };
}

/**
 * An event stream, one chunk per frame, each released when `step()` resolves (default: at
 * once). With `failAfter`, the stream breaks with `error` after that many frames. Ends
 * with an abort error once the request is cancelled, like a real client.
 */
export function sseAnswer(req: UpstreamRequest, frames: readonly string[], o: { failAfter?: number; error?: Error; step?: () => Promise<void> } = {}): UpstreamResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/event-stream' },
    body: sourceOf(
      (async function* () {
        for (let i = 0; i < frames.length; i++) {
          if (o.failAfter === i) throw o.error ?? Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
          await o.step?.();
          if (req.cancel.aborted) throw Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
          yield encoder.encode(frames[i] as string);
        }
      })(),
    ),
    bytes: () => Promise.reject(new Error('a stream is not read whole')),
  };
}

/** A gate whose answers a test sets; it remembers every reservation settled. */
export class FakeGate implements BudgetGate<string> {
  readonly requests: BudgetRequest[] = [];
  readonly settled: Array<[string, number]> = [];
  /** The answer to the next reserve; default: allowed, holding `r<n>`. */
  next: ((req: BudgetRequest, signal: AbortSignal) => GateResult<string> | Promise<GateResult<string>>) | null = null;

  reserve(req: BudgetRequest, signal: AbortSignal): GateResult<string> | Promise<GateResult<string>> {
    this.requests.push(req);
    return this.next ? this.next(req, signal) : { ok: true, reservation: `r${this.requests.length}` };
  }

  settle(reservation: string, actualCostNano: number): void {
    this.settled.push([reservation, actualCostNano]);
  }
}

/** The budget 429 a real ledger gives for an exhausted key budget. */
export function exhausted(req: BudgetRequest): GateResult<string> {
  const block = { name: req.keyName ?? '', kind: 'key', per: null, tagValue: null, limitNano: 1_000_000, spentNano: 1_000_000, reservedNano: 0, estimateNano: 500 } as const;
  return { ok: false, error: budgetExceededError({ ...block, period: 'month', resetAt: Date.parse('2026-12-01T00:00:00Z'), reason: 'exhausted', at: req.at }) };
}

/** 10 nano-USD per input token, 20 per output token, for any model but `unpriced-model`. */
export const FAKE_PRICER: Pick<Pricer, 'price'> = {
  price(usage, ctx): PriceResult {
    if (ctx.model === 'unpriced-model') return { priced: false, reason: 'unknown model' };
    const costNano = usage.inputTokens * 10 + usage.outputTokens * 20;
    const zero = { uncachedInput: 0, cacheRead: 0, cacheWrite5m: 0, cacheWrite1h: 0, inputAudio: 0, inputImage: 0, output: 0, outputAudio: 0, outputImage: 0, outputReasoning: 0, webSearch: 0, fileSearch: 0, audioDuration: 0, documentPage: 0, annotatedPage: 0 };
    return { priced: true, costNano, source: 'config', modelId: ctx.model, providerId: null, breakdown: zero };
  },
};

export interface Fixture {
  handle(call: IncomingCall): Promise<OutgoingResponse>;
  gate: FakeGate;
  /** The handler's pricer (FAKE_PRICER's rates); a test may swap its `price` to inject a fault. */
  pricer: Pick<Pricer, 'price'>;
  upstream: FakeUpstreamClient;
  metrics: Metrics;
  /** Every finished call, as announced. */
  records: CallRecord[];
  announced: FinishedCall[];
  /** What the handler logged as errors: message and fields. */
  errors: Array<{ msg: string; fields?: Record<string, unknown> }>;
  /** What the handler logged as warnings: message and fields. */
  warnings: Array<{ msg: string; fields?: Record<string, unknown> }>;
}

/**
 * A handler on fakes: one key (`app`, fixed tag team=search), the openai provider, the given
 * upstream script. `adapt` swaps the openai adapter for one built from it (a fault injected).
 * `providersYaml` replaces the config's `providers:` section (default: openai with a key).
 */
export function fixture(
  answer: (req: UpstreamRequest) => UpstreamResponse | Promise<UpstreamResponse>,
  key: Partial<ResolvedKey> = {},
  adapt?: (adapter: ProviderAdapter) => ProviderAdapter,
  providersYaml = 'providers:\n  openai: { base_url: "http://upstream.invalid/v1", api_key: "sk-upstream" }\n',
): Fixture {
  const config = parseConfigText(providersYaml, { file: 'test.yaml', env: {} });
  const resolved: ResolvedKey = { name: 'app', tags: { team: 'search' }, providers: [], models: [], budget: null, ...key };
  const gate = new FakeGate();
  const pricer: Pick<Pricer, 'price'> = { price: (usage, ctx) => FAKE_PRICER.price(usage, ctx) };
  const upstream = new FakeUpstreamClient(answer);
  const metrics = new Metrics();
  const finished = new FinishedCalls((error) => {
    throw error;
  });
  const records: CallRecord[] = [];
  const announced: FinishedCall[] = [];
  const errors: Fixture['errors'] = [];
  const warnings: Fixture['warnings'] = [];
  finished.subscribe((record, call) => {
    records.push(record);
    announced.push(call);
  });
  finished.subscribe((record) => metrics.observe(record));
  const providers = buildProviders(providerSettings(config.providers));
  const openai = providers.get('openai');
  if (adapt && openai) providers.set('openai', { ...openai, adapter: adapt(openai.adapter) });
  const deps: ProxyDeps<string> = {
    providers,
    keys: { resolve: (secret) => (secret === SECRET ? resolved : null) },
    upstream,
    pricer,
    budgets: gate,
    finished,
    clock: () => NOW,
    metrics,
    log: { ...silentLogger, error: (msg, fields) => void errors.push({ msg, fields }), warn: (msg, fields) => void warnings.push({ msg, fields }) },
    maxBodyBytes: 1 << 20,
    tagsOnInvalid: 'reject',
    cachedContents: new CachedContentSizes(),
  };
  return { handle: createHandler(deps), gate, pricer, upstream, metrics, records, announced, errors, warnings };
}

export interface FakeCall extends IncomingCall {
  /** Disconnects the client. */
  leave(): void;
}

/** A client's chat call to /proxy/openai/chat/completions. */
export function chatCall(body: object | string, headers: Record<string, string> = {}): FakeCall {
  const client = new AbortController();
  const bytes = encoder.encode(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    method: 'POST',
    url: '/proxy/openai/chat/completions',
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json', ...headers },
    readBody: async (limit) => (bytes.length > limit ? null : bytes),
    signal: client.signal,
    leave: () => client.abort(),
  };
}

/** Reads a response body the way an edge does: whole, or chunk by chunk to the end. */
export async function bodyText(res: OutgoingResponse): Promise<string> {
  const body = res.body;
  if (body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return decoder.decode(body);
  let text = '';
  await body.pump((chunk) => {
    text += decoder.decode(chunk, { stream: true });
  });
  return text;
}

/**
 * Drives a streamed body the way a pulling consumer does: each `next()` lets one more
 * chunk through (the writer waits until then), `return()` cancels it and waits until the
 * pump has unwound. A pump that fails rejects the pending `next()`.
 */
export function pullChunks(body: StreamBody): AsyncIterator<Uint8Array> {
  let pumping: Promise<void> | null = null;
  let ended = false;
  let pending: { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void } | null = null;
  let release: (() => void) | null = null;
  const settle = (fn: (p: NonNullable<typeof pending>) => void) => {
    const p = pending;
    pending = null;
    if (p) fn(p);
  };
  return {
    next() {
      return new Promise((resolve, reject) => {
        if (ended) return resolve({ done: true, value: undefined });
        pending = { resolve, reject };
        if (pumping === null) {
          pumping = body
            .pump((chunk) => new Promise<void>((go) => {
              release = go;
              settle((p) => p.resolve({ done: false, value: chunk }));
            }))
            .then(
              () => {
                ended = true;
                settle((p) => p.resolve({ done: true, value: undefined }));
              },
              (error: unknown) => {
                ended = true;
                settle((p) => p.reject(error));
              },
            );
        } else {
          const go = release;
          release = null;
          go?.();
        }
      });
    },
    async return() {
      body.cancel();
      const go = release;
      release = null;
      go?.();
      await pumping;
      return { done: true, value: undefined };
    },
  };
}

/** Lets pending immediates run (the buffered JSON path records in one). */
export const afterImmediates = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A promise and the function that resolves it. */
export function latch(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

const chatOpenAi = createOpenAiAdapter();
/** A streamed OpenAI chat call on gpt-4o-mini, as the relay tests describe it. */
export const CHAT_STREAM_INFO = chatOpenAi.describe('POST', '/chat/completions', { model: 'gpt-4o-mini', stream: true });

/**
 * Relays `source` as a streamed OpenAI chat answer (status 200, SSE, the client asked for
 * usage itself unless `over.prepared` says otherwise, idle timeout 60 s); `over` sets the rest.
 */
export function relayChat(source: ChunkSource, over: Partial<RelayContext> & Pick<RelayContext, 'onFinished'>): StreamBody {
  return relayBody(source, {
    provider: 'openai',
    info: CHAT_STREAM_INFO,
    adapter: chatOpenAi,
    prepared: { stripInjectedUsage: false },
    mode: 'sse',
    status: 200,
    idleMs: 60_000,
    clientGone: () => false,
    ...over,
  });
}
