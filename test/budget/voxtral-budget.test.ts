import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningProxy } from '../../src/proxy/start.js';
import type { SqlDriver } from '../../src/store/types.js';
import { FakeUpstream, type ReceivedRequest, type Reply } from '../support/fake-upstream.js';
import { UPSTREAM_KEY, waitFor } from '../support/proxy-harness.js';
import { pcmWav } from '../support/wav.js';
import { addKey, keyBudget, postForm, startBudgetProxy, tempDb } from './support.js';

/**
 * Mistral's voxtral-mini-2602 is billed per hour of audio, $0.18 (genai-prices 0.1.8
 * `audio_hours`): 60 s = $0.003 = 3,000,000 nano-USD. Its answer reports the seconds as
 * `usage.prompt_audio_seconds` (@mistralai/mistralai 2.7.0 UsageInfo).
 */

function voxtralReply(req: ReceivedRequest): Reply | undefined {
  if (req.url !== '/v1/audio/transcriptions') return undefined;
  return { body: JSON.stringify({ model: 'voxtral-mini-2602', text: 'Hello.', language: 'en', usage: { prompt_audio_seconds: 60, prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } }) };
}

function transcribe(baseUrl: string, secret: string): Promise<number> {
  return postForm(`${baseUrl}/v1/audio/transcriptions`, secret, [
    ['model', 'voxtral-mini-2602'],
    ['file', new File([pcmWav(60)], 'speech.wav', { type: 'audio/wav' })],
  ]);
}

describe('a voxtral transcription against a key budget', () => {
  let fake: FakeUpstream;
  let proxy: RunningProxy;
  let driver: SqlDriver;
  const folder = tempDb();
  beforeAll(async () => {
    fake = await new FakeUpstream({ expectedKey: UPSTREAM_KEY, reply: voxtralReply }).start();
    ({ proxy, driver } = await startBudgetProxy({ dbPath: folder.dbPath, fake, provider: 'mistral' }));
  });
  afterAll(async () => {
    await proxy?.stop(1000);
    await fake?.stop();
    folder.cleanup();
  });

  // The first call settles 3,000,000 nano-USD against a key with $0.001 (1,000,000) to spend:
  // the cap is spent, and the next call is refused. Before: recorded as `other`, not metered,
  // $0, so the key went on transcribing (spent 0).
  it('settles 3,000,000 nano-USD, and a key with $0.001 to spend is refused the next one (429)', async () => {
    const secret = await addKey(proxy, 'transcriber', { budget: keyBudget(0.001) });
    const baseUrl = `${proxy.url}/proxy/mistral`;
    expect(await transcribe(baseUrl, secret)).toBe(200);
    type Row = { endpoint: string; cost_nano: number | null; audio_seconds: number | null; usage_source: string };
    let row: Row | undefined;
    await waitFor(() => (row = driver.prepare("SELECT * FROM calls WHERE key_name = 'transcriber'").get<Row>()) !== undefined, 5000, 'the call row');
    expect.soft(row).toMatchObject({ endpoint: 'audio.transcriptions', usage_source: 'reported', cost_nano: 3_000_000, audio_seconds: 60 });
    expect(await transcribe(baseUrl, secret)).toBe(429);
  });
});
