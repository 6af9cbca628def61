import { describe, expect, it } from 'vitest';
import { OPENAI_ENDPOINTS, createOpenAiAdapter } from '../../src/providers/openai.js';
import { withDeployments } from '../../src/providers/openai-deployments.js';

/**
 * Azure OpenAI's deployment paths (`/deployments/{name}/<OpenAI path>`, PROVIDERS.md §2.6) as
 * the OpenAI adapter describes them: as the OpenAI path they end in, the model being the
 * deployment's (mapped in the config, else its name) when the body names none.
 */

const adapter = createOpenAiAdapter({ family: 'azure', deployments: { 'prod-gpt4o': 'gpt-4o' } });

describe('deployment paths', () => {
  it.each([
    ['/deployments/prod-gpt4o/chat/completions', 'chat.completions', 'chat', 'gpt-4o'],
    ['/openai/deployments/prod-gpt4o/chat/completions', 'chat.completions', 'chat', 'gpt-4o'],
    ['/deployments/my-embed/embeddings', 'embeddings', 'embeddings', 'my-embed'],
    ['/deployments/old-davinci/completions', 'completions', 'completions', 'old-davinci'],
    ['/deployments/reasoner/responses', 'responses', 'responses', 'reasoner'],
    ['/deployments/whisper/audio/transcriptions', 'audio.transcriptions', 'transcriptions', 'whisper'],
    ['/deployments/tts/audio/speech', 'audio.speech', 'speech', 'tts'],
    ['/deployments/painter/images/generations', 'images.generations', 'images', 'painter'],
  ])('POST %s is metered as %s (kind %s), model %s', (path, endpoint, kind, model) => {
    const info = adapter.describe('POST', path, { input: 'x', messages: [], prompt: 'x' });
    expect(info).toMatchObject({ endpoint, kind, metered: true, model });
    expect(info.deployment?.name).toBe(path.split('/deployments/')[1]?.split('/')[0]);
    expect(info.refused).toBeUndefined();
  });

  it("takes the body's model as requested when the deployment is not mapped, the mapped model when it is", () => {
    expect(adapter.describe('POST', '/deployments/unmapped/chat/completions', { model: 'gpt-4o-mini', messages: [] })).toMatchObject({ model: 'gpt-4o-mini', deployment: { name: 'unmapped', model: null } });
    expect(adapter.describe('POST', '/deployments/prod-gpt4o/chat/completions', { model: 'gpt-4o-mini', messages: [] })).toMatchObject({ model: 'gpt-4o', deployment: { name: 'prod-gpt4o', model: 'gpt-4o' } });
  });

  it('injects stream usage on a deployment path as on a plain one', () => {
    const raw = new TextEncoder().encode('{"stream":true,"messages":[]}');
    const info = adapter.describe('POST', '/deployments/prod-gpt4o/chat/completions', { stream: true, messages: [] });
    const prepared = adapter.prepare(info, { stream: true, messages: [] }, raw);
    expect(prepared.stripInjectedUsage).toBe(true);
    expect(JSON.parse(new TextDecoder().decode(prepared.body))).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('refuses a POST on a deployment path it cannot meter, and passes reads and batch jobs as unmetered', () => {
    expect(adapter.describe('POST', '/deployments/prod-gpt4o/extensions/chat/completions', { messages: [] }).refused).toMatch(/not metered/);
    expect(adapter.describe('POST', '/deployments/prod-gpt4o/realtime/client_secrets', {}).refused).toMatch(/mints a provider credential/);
    expect(adapter.describe('GET', '/deployments/prod-gpt4o', undefined)).toMatchObject({ endpoint: 'other', metered: false });
    expect(adapter.describe('POST', '/deployments/prod-gpt4o/batches', { input_file_id: 'f' })).toMatchObject({ endpoint: 'other', metered: false });
    expect(adapter.describe('POST', '/deployments/prod-gpt4o/batches', { input_file_id: 'f' }).refused).toBeUndefined();
  });

  it('reads the metering key from api-key as well as Authorization: Bearer, and says so', () => {
    expect(adapter.clientKey({ 'api-key': 'mk_a' }, new URLSearchParams())).toBe('mk_a');
    expect(adapter.clientKey({ authorization: 'Bearer mk_b' }, new URLSearchParams())).toBe('mk_b');
    expect(adapter.clientKeyPlaces).toMatch(/Authorization: Bearer.*api-key/);
  });

  it('sends the provider key as the provider option says, never the client credential', () => {
    const bearer = { 'api-key': 'mk_client' } as Record<string, string>;
    adapter.applyUpstreamAuth(bearer, new URLSearchParams(), 'real');
    expect(bearer).toEqual({ authorization: 'Bearer real' });
    const apiKey = { authorization: 'Bearer mk_client' } as Record<string, string>;
    createOpenAiAdapter({ family: 'azure', authHeader: 'api-key' }).applyUpstreamAuth(apiKey, new URLSearchParams(), 'real');
    expect(apiKey).toEqual({ 'api-key': 'real' });
  });
});

describe('the refusal of a deployment path it cannot meter', () => {
  // The message listed the metered paths by hand, so a path added to the adapter's table
  // went unnamed there (responses/compact and images/variations were).
  it("names the metered paths of the table it is given, as they appear after /deployments/NAME", () => {
    const endpoints = {
      '/chat/completions': { endpoint: 'chat.completions', kind: 'chat' },
      '/videos': { endpoint: 'videos', kind: 'other' },
      '/audio/speech': { endpoint: 'audio.speech', kind: 'speech' },
    } as const;
    const wrapped = withDeployments(createOpenAiAdapter({ family: 'azure' }), endpoints, {});
    expect(wrapped.describe('POST', '/deployments/d1/extensions/chat/completions', { messages: [] }).refused).toBe(
      "POST /extensions/chat/completions on deployment 'd1' is not metered by an openai-compatible provider, so tokometer does not forward it. " +
        'It meters chat/completions, videos and audio/speech on a deployment, and forwards its batches unmetered.',
    );
  });

  it("names every path of the OpenAI adapter's table, each metered on a deployment, and nothing else", () => {
    const refused = adapter.describe('POST', '/deployments/prod-gpt4o/extensions/chat/completions', { messages: [] }).refused ?? '';
    const listed = /It meters (.+) on a deployment, and forwards its batches unmetered\.$/.exec(refused)?.[1]?.split(/, | and /);
    expect(listed).toEqual(Object.keys(OPENAI_ENDPOINTS).map((path) => path.slice(1)));
    expect(listed).toEqual(expect.arrayContaining(['responses/compact', 'images/variations']));
    for (const path of listed ?? []) {
      const info = adapter.describe('POST', `/deployments/prod-gpt4o/${path}`, { input: 'x', messages: [], prompt: 'x' });
      expect(info.metered).toBe(true);
      expect(info.refused).toBeUndefined();
    }
  });
});
