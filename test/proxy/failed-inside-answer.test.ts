import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/store/types.js';
import { bodyText, chatCall, fixture, jsonAnswer, sseAnswer } from './fakes.js';

const RESPONSE = { model: 'gpt-4o-mini', stream: true, input: 'Capital of France?' };
const USAGE = { input_tokens: 40, output_tokens: 2, total_tokens: 42 };

/** A Responses call (`POST /proxy/openai/v1/responses`) as an SDK sends it. */
function responsesCall(body: object) {
  return { ...chatCall(body), url: '/proxy/openai/v1/responses' };
}

/**
 * A 2xx answer whose work failed inside it is the provider's failure, as the SDK reports it
 * to the app: recorded `upstream_failed` with the reason, its usage (billed) kept, as a
 * background response that ends `failed` is.
 */
describe('an answer that says the work failed inside a 2xx', () => {
  it('a Responses stream ending in response.failed: upstream_failed, with its usage and reason', async () => {
    const failed = { type: 'response.failed', response: { object: 'response', id: 'resp_1', model: 'gpt-4o-mini-2024-07-18', status: 'failed', error: { code: 'server_error', message: 'The model crashed' }, usage: USAGE } };
    const f = fixture((req) => sseAnswer(req, [`event: response.created\ndata: ${JSON.stringify({ type: 'response.created', response: { object: 'response', id: 'resp_1', model: 'gpt-4o-mini-2024-07-18', status: 'in_progress', usage: null } })}\n\n`, `event: response.failed\ndata: ${JSON.stringify(failed)}\n\n`]));
    const res = await f.handle(responsesCall(RESPONSE));
    await bodyText(res);
    const r = f.records[0] as CallRecord;
    expect(r).toMatchObject({ outcome: 'upstream_failed', status: 200, usageSource: 'reported', usage: { inputTokens: 40, outputTokens: 2 }, error: 'response failed: The model crashed' });
    expect(r.costNano).toBeGreaterThan(0);
  });

  it('a Responses JSON body with status failed: upstream_failed, with its usage', async () => {
    const body = { object: 'response', id: 'resp_2', model: 'gpt-4o-mini-2024-07-18', status: 'failed', error: { code: 'server_error', message: 'boom' }, usage: USAGE };
    const f = fixture(() => jsonAnswer(JSON.stringify(body)));
    const res = await f.handle(responsesCall({ model: 'gpt-4o-mini', input: 'hi' }));
    await bodyText(res);
    await new Promise((r) => setImmediate(r));
    expect(f.records[0]).toMatchObject({ outcome: 'upstream_failed', status: 200, usageSource: 'reported', usage: { inputTokens: 40, outputTokens: 2 }, error: 'response failed: boom' });
  });

  it('a completed response stays ok', async () => {
    const body = { object: 'response', id: 'resp_3', model: 'gpt-4o-mini-2024-07-18', status: 'completed', usage: USAGE };
    const f = fixture(() => jsonAnswer(JSON.stringify(body)));
    await bodyText(await f.handle(responsesCall({ model: 'gpt-4o-mini', input: 'hi' })));
    await new Promise((r) => setImmediate(r));
    expect(f.records[0]).toMatchObject({ outcome: 'ok', error: null });
  });
});
