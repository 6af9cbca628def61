/**
 * The bytes of the benchmark: request bodies and the fake upstream's deterministic
 * responses (OpenAI chat completions). Shared by the upstream (Bun) and the load
 * generator (Node), which checks that every stream reaches the client byte for byte.
 */

const MODEL = 'gpt-4o-mini-2024-07-18';
const ID = 'chatcmpl-bench0000000000000000';
const USAGE = {
  prompt_tokens: 1250,
  completion_tokens: 64,
  total_tokens: 1314,
  prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};

/** A non-streaming chat completion of about `bytes` bytes, usage included. */
export function chatCompletion(bytes) {
  const shell = (content) =>
    JSON.stringify({
      id: ID,
      object: 'chat.completion',
      created: 1767225600,
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: USAGE,
      service_tier: 'default',
      system_fingerprint: 'fp_560af6e559',
    });
  const base = shell('').length;
  const words = 'The quick brown fox jumps over the lazy dog while the meter counts every token. ';
  return shell(words.repeat(Math.ceil(bytes / words.length)).slice(0, Math.max(0, bytes - base)));
}

function chunk(delta, finish, usage) {
  return `data: ${JSON.stringify({
    id: ID,
    object: 'chat.completion.chunk',
    created: 1767225600,
    model: MODEL,
    service_tier: 'default',
    system_fingerprint: 'fp_560af6e559',
    choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    usage: usage ?? null,
  })}\n\n`;
}

/** The 64 content chunks of a stream (role first, finish_reason on the last). */
export const STREAM_CHUNKS = 64;
export function streamChunks() {
  const out = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (let i = 1; i < STREAM_CHUNKS - 1; i++) out.push(chunk({ content: ` token${i}` }, null));
  out.push(chunk({}, 'stop'));
  return out;
}
/** The usage-only chunk, sent when the request asked for `stream_options.include_usage`. */
export const USAGE_CHUNK = chunk({}, null, USAGE);
export const DONE_CHUNK = 'data: [DONE]\n\n';

/** What a client that did not ask for usage receives: 64 chunks and [DONE] (65 frames). */
export function expectedStream() {
  return streamChunks().join('') + DONE_CHUNK;
}
export const STREAM_FRAMES = STREAM_CHUNKS + 1;

/** A chat completion request body (~300 bytes) as the OpenAI SDK sends it. */
export function requestBody(stream) {
  return JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a concise assistant for a benchmark.' },
      { role: 'user', content: 'Summarise the benefits of measuring the cost of every LLM call in one sentence.' },
    ],
    max_tokens: 256,
    temperature: 0.2,
    ...(stream ? { stream: true } : {}),
  });
}

/** Response kinds the upstream serves, chosen by the `x-bench-kind` request header. */
export const KINDS = { '1k': 1024, '10k': 10240 };
