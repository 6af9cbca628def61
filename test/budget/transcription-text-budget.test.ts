import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/proxy-harness.js';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { proxySuite } from './proxy-suite.js';
import { addKey, keyBudget, postForm, type BudgetProxy } from './support.js';

/**
 * A gpt-4o-transcribe upload with `response_format=text` is answered a bare string
 * (text/plain), with no usage (openai 6.49.0 resources/audio/transcriptions.d.ts: only the
 * json formats carry `usage`). OpenAI bills it all the same: it is recorded estimated from
 * the request and settled against the budget at that estimate, never at $0.
 *
 * gpt-4o-transcribe (pinned catalog, genai-prices 0.1.8): text input $2.50, audio input
 * $6.00, output $10.00 per 1M tokens = 2,500, 6,000 and 10,000 nano-USD per token.
 */

/** The transcript the fake answers: 29 bytes, ceil(29 / 4) = 8 output tokens. */
const TRANSCRIPT = 'Hello, this is the recording.';

/** 2,000,000 bytes of compressed "audio" (no header tokometer reads): 250 s at 64 kbps, 2,500 audio tokens at 10 per second. */
const AUDIO_BYTES = 2_000_000;

function textReply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/audio/transcriptions') return undefined;
  return { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: TRANSCRIPT };
}

function transcribe(baseUrl: string, secret: string): Promise<number> {
  const audio = new Uint8Array(AUDIO_BYTES);
  for (let i = 0; i < audio.length; i++) audio[i] = (i * 7919) & 0xff;
  // Text fields: 'gpt-4o-transcribe' (17 bytes) + 'text' (4) = 21 bytes, ceil(21 / 4) = 6 tokens.
  return postForm(`${baseUrl}/audio/transcriptions`, secret, [
    ['file', new File([audio], 'speech.mp3', { type: 'audio/mpeg' })],
    ['model', 'gpt-4o-transcribe'],
    ['response_format', 'text'],
  ]);
}

describe('a gpt-4o-transcribe upload answered as plain text (no usage)', () => {
  const suite = proxySuite({ reply: textReply });
  let p: BudgetProxy;
  beforeAll(async () => {
    p = await suite.start();
  });

  // Input: 6 text tokens × 2,500 + 2,500 audio tokens × 6,000 = 15,000 + 15,000,000; output:
  // 8 × 10,000 = 80,000. 15,095,000 nano-USD ($0.015095). Before: usage unknown, cost null, settled at $0.
  it('is recorded estimated at 15,095,000 nano-USD, and a budget with $0.00001 left refuses the next one (429)', async () => {
    const secret = await addKey(p.proxy, 'transcriber', { budget: keyBudget(0.00001) });
    expect(await transcribe(p.baseUrl, secret)).toBe(200);
    type Row = { usage_source: string; cost_nano: number | null; input_tokens: number | null; input_audio_tokens: number | null; output_tokens: number | null; error: string | null };
    let row: Row | undefined;
    await waitFor(() => (row = p.driver.prepare("SELECT * FROM calls WHERE key_name = 'transcriber'").get<Row>()) !== undefined, 5000, 'the call row');
    expect.soft(row).toMatchObject({ usage_source: 'estimated', input_tokens: 2_506, input_audio_tokens: 2_500, output_tokens: 8, cost_nano: 15_095_000 });
    expect.soft(row?.error).toMatch(/estimated from the request/);
    expect(await transcribe(p.baseUrl, secret)).toBe(429);
  });
});
