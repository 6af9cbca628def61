import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, type LoopbackServer } from './loopback-server.js';

/**
 * A fake of OpenAI's and Anthropic's organization usage and cost reports on 127.0.0.1,
 * port 0, for `tokometer reconcile` tests. It serves one bucket per UTC day of the asked
 * window (empty days included, as the real APIs do), `pageSize` buckets per page with an
 * opaque next_page cursor, checks the admin key and the query, and can answer the first
 * request to a path with a fault (429 with Retry-After, or a 500). A wrong key gets a 401
 * whose message quotes the key it received (the way some providers echo part of it), so
 * tests can show that tokometer never prints it.
 */

/** One day × model of usage and what the provider bills for it (USD per price). */
export interface AdminUsage {
  day: string;
  model: string;
  /** OpenAI: num_model_requests (Anthropic reports none). */
  requests: number;
  /** Uncached input tokens. */
  uncached: number;
  cached?: number;
  write5m?: number;
  write1h?: number;
  output: number;
  /** Billed USD per price kind. */
  cost: { input?: number; cached_input?: number; cache_write_5m?: number; cache_write_1h?: number; output?: number };
  /** OpenAI: served by /usage/embeddings instead of /usage/completions. */
  embeddings?: boolean;
}

/** A cost not tied to a model (tools, storage). */
export interface AdminOtherCost {
  day: string;
  label: string;
  usd: number;
}

export interface FakeAdminOptions {
  family: 'openai' | 'anthropic';
  key: string;
  usage: AdminUsage[];
  other?: AdminOtherCost[];
  /** Buckets per page (default 3). */
  pageSize?: number;
  /** Path → the fault its first request gets. */
  faults?: Record<string, { status: 429; retryAfter: string } | { status: 500 } | { status: 400 }>;
}

export interface AdminRequest {
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  status: number;
  /** When it arrived, ms. */
  at: number;
}

const DAY_MS = 86_400_000;
const OPENAI_RATES: Record<string, string> = { input: 'input', cached_input: 'cached input', output: 'output' };
const ANTHROPIC_TYPES: Record<string, string> = {
  input: 'uncached_input_tokens',
  cached_input: 'cache_read_input_tokens',
  cache_write_5m: 'cache_creation.ephemeral_5m_input_tokens',
  cache_write_1h: 'cache_creation.ephemeral_1h_input_tokens',
  output: 'output_tokens',
};

export class FakeAdminApi {
  readonly requests: AdminRequest[] = [];
  readonly problems: string[] = [];
  url = '';
  private server: LoopbackServer | null = null;
  private faulted = new Set<string>();

  constructor(private readonly o: FakeAdminOptions) {}

  async start(): Promise<this> {
    this.server = await listenLoopback((req, res) => this.handle(req, res));
    this.url = this.server.url;
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }

  /** Requests to `path` (all attempts). */
  hits(path: string): AdminRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const record: AdminRequest = { path: url.pathname, query: url.searchParams, headers: req.headers, status: 200, at: Date.now() };
    this.requests.push(record);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const error = (status: number, message: string) =>
      send(status, this.o.family === 'openai' ? { error: { message, type: 'invalid_request_error' } } : { type: 'error', error: { type: 'error', message } });

    const got = this.o.family === 'openai' ? String(req.headers.authorization ?? '').replace(/^Bearer /, '') : String(req.headers['x-api-key'] ?? '');
    if (got !== this.o.key) return error(401, `Incorrect admin key provided: ${got}. You can find your admin key in the console.`);
    if (this.o.family === 'anthropic' && req.headers['anthropic-version'] !== '2023-06-01') return error(400, 'anthropic-version missing');
    const fault = this.o.faults?.[url.pathname];
    if (fault && !this.faulted.has(url.pathname)) {
      this.faulted.add(url.pathname);
      if (fault.status === 429) return send(429, { error: { message: 'rate limited' } }, { 'retry-after': fault.retryAfter });
      return error(fault.status, fault.status === 500 ? 'internal error' : 'bad request');
    }
    const report = this.report(url.pathname);
    if (report === null) {
      this.problems.push(`unexpected path ${url.pathname}`);
      return error(404, `no such path ${url.pathname}`);
    }
    const problem = this.checkQuery(url.searchParams, report.groupBy);
    if (problem) {
      this.problems.push(`${url.pathname}: ${problem}`);
      return error(400, problem);
    }
    const [start, end] = this.window(url.searchParams);
    const days: number[] = [];
    for (let d = start; d < end; d += DAY_MS) days.push(d);
    const page = Number(url.searchParams.get('page')?.replace(/^cursor_/, '') ?? '0');
    const size = this.o.pageSize ?? 3;
    const slice = days.slice(page * size, page * size + size);
    const more = (page + 1) * size < days.length;
    send(200, {
      object: 'page',
      data: slice.map((d) => this.bucket(d, report.rows(d))),
      has_more: more,
      next_page: more ? `cursor_${page + 1}` : null,
    });
  }

  private report(path: string): { groupBy: string; rows: (day: number) => unknown[] } | null {
    const o = this.o;
    const on = (day: number) => (u: { day: string }) => Date.parse(`${u.day}T00:00:00Z`) === day;
    if (o.family === 'openai') {
      if (path === '/v1/organization/usage/completions' || path === '/v1/organization/usage/embeddings') {
        const emb = path.endsWith('embeddings');
        return { groupBy: 'model', rows: (d) => o.usage.filter(on(d)).filter((u) => (u.embeddings ?? false) === emb).map(openaiUsage) };
      }
      if (path === '/v1/organization/costs') return { groupBy: 'line_item', rows: (d) => [...o.usage.filter(on(d)).flatMap(openaiCosts), ...(o.other ?? []).filter(on(d)).map(openaiOther)] };
      return null;
    }
    if (path === '/v1/organizations/usage_report/messages') return { groupBy: 'model', rows: (d) => o.usage.filter(on(d)).map(anthropicUsage) };
    if (path === '/v1/organizations/cost_report') return { groupBy: 'description', rows: (d) => [...o.usage.filter(on(d)).flatMap(anthropicCosts), ...(o.other ?? []).filter(on(d)).map(anthropicOther)] };
    return null;
  }

  private checkQuery(q: URLSearchParams, groupBy: string): string | null {
    if (q.get('bucket_width') !== '1d') return `bucket_width is ${q.get('bucket_width')}`;
    if (q.getAll('group_by[]').join() !== groupBy) return `group_by[] is ${q.getAll('group_by[]').join()}`;
    const limit = Number(q.get('limit'));
    if (!(limit >= 1 && limit <= (groupBy === 'line_item' ? 180 : 31))) return `limit is ${q.get('limit')}`;
    const [start, end] = this.window(q);
    if (!Number.isFinite(start) || !Number.isFinite(end) || start % DAY_MS !== 0 || end % DAY_MS !== 0) return 'window is not whole UTC days';
    return null;
  }

  private window(q: URLSearchParams): [number, number] {
    if (this.o.family === 'openai') return [Number(q.get('start_time')) * 1000, Number(q.get('end_time')) * 1000];
    return [Date.parse(q.get('starting_at') ?? ''), Date.parse(q.get('ending_at') ?? '')];
  }

  private bucket(day: number, results: unknown[]) {
    if (this.o.family === 'openai') return { object: 'bucket', start_time: day / 1000, end_time: (day + DAY_MS) / 1000, results };
    return { starting_at: new Date(day).toISOString().replace('.000Z', 'Z'), ending_at: new Date(day + DAY_MS).toISOString().replace('.000Z', 'Z'), results };
  }
}

function openaiUsage(u: AdminUsage) {
  const cached = u.cached ?? 0;
  return {
    object: u.embeddings ? 'organization.usage.embeddings.result' : 'organization.usage.completions.result',
    input_tokens: u.uncached + cached,
    ...(u.embeddings ? {} : { input_cached_tokens: cached, output_tokens: u.output, input_audio_tokens: 0, output_audio_tokens: 0 }),
    num_model_requests: u.requests,
    model: u.model,
    project_id: null,
    user_id: null,
    api_key_id: null,
  };
}

function openaiCosts(u: AdminUsage) {
  return Object.entries(u.cost).map(([rate, usd]) => ({ object: 'organization.costs.result', amount: { value: usd, currency: 'usd' }, line_item: `${u.model}, ${OPENAI_RATES[rate]}`, project_id: null }));
}

function openaiOther(c: AdminOtherCost) {
  return { object: 'organization.costs.result', amount: { value: c.usd, currency: 'usd' }, line_item: c.label, project_id: null };
}

function anthropicUsage(u: AdminUsage) {
  return {
    uncached_input_tokens: u.uncached,
    cache_creation: { ephemeral_5m_input_tokens: u.write5m ?? 0, ephemeral_1h_input_tokens: u.write1h ?? 0 },
    cache_read_input_tokens: u.cached ?? 0,
    output_tokens: u.output,
    server_tool_use: { web_search_requests: 0 },
    model: u.model,
    api_key_id: null,
    workspace_id: null,
    service_tier: null,
    context_window: null,
  };
}

/** USD → a cents decimal string with up to 7 decimals, as the cost report sends it. */
function cents(usd: number): string {
  return (usd * 100).toFixed(7).replace(/0+$/, '').replace(/\.$/, '');
}

function anthropicCosts(u: AdminUsage) {
  return Object.entries(u.cost).map(([rate, usd]) => ({
    currency: 'USD',
    amount: cents(usd),
    workspace_id: null,
    description: `${u.model} usage - ${ANTHROPIC_TYPES[rate]}`,
    cost_type: 'tokens',
    context_window: '0-200k',
    model: u.model,
    service_tier: 'standard',
    token_type: ANTHROPIC_TYPES[rate],
  }));
}

function anthropicOther(c: AdminOtherCost) {
  return { currency: 'USD', amount: cents(c.usd), workspace_id: null, description: c.label, cost_type: 'web_search', context_window: null, model: null, service_tier: null, token_type: null };
}
