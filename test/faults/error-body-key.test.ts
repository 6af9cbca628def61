import { describe, expect, it } from 'vitest';
import { openServeFolder } from '../support/serve-folder.js';
import type { ReceivedRequest, Reply } from '../support/fake-upstream.js';
import { runCli, startServe, stopProcess, type Build } from '../support/spawn-cli.js';
import { startForSuite } from '../support/suite-resource.js';

/** The provider key in the config. */
const PLANTED = 'sk-proj-PLANTED-do-not-leak-7f3a9c2e1b';
/** What the client reads in its place: the key's last four characters, as OpenAI shows a key. */
const MASK = '[provider key …2e1b]';

/**
 * A new user's trial: a provider answering 401 `Incorrect API key provided: <the
 * Authorization header it got>` handed the client the configured provider key, in JSON and
 * in a stream, while docs/reliability.md says the upstream key never reaches an error body.
 * Error answers (non-2xx) now have every occurrence of the provider's key replaced by a mask,
 * their Content-Length fixed, on both edges; whatever the chunks it arrives in.
 */
function echo(req: ReceivedRequest): Reply {
  const got = String(req.headers.authorization ?? '');
  const message = JSON.stringify({ error: { message: `Incorrect API key provided: ${got}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', code: 'invalid_api_key' } });
  const model = (req.json as { model?: string }).model ?? '';
  // Read whole (Content-Length), in 7-byte pieces (the key split across chunks), or as an SSE error event.
  if (model === 'whole') return { status: 401, headers: { 'content-length': String(Buffer.byteLength(message)) }, body: message };
  if (model === 'pieces') return { status: 401, body: message, chunkBytes: 7 };
  return { status: 400, headers: { 'content-type': 'text/event-stream' }, body: `event: error\ndata: ${message}\n\n`, chunkBytes: 5 };
}

describe.each<Build>(['binary', 'node'])('the provider key in an error body (%s)', (build) => {
  const folder = startForSuite(() =>
    openServeFolder({
      name: 'error-key',
      upstream: { expectedKey: PLANTED, reply: echo },
      config: (fakeUrl) => `providers:\n  openai: { base_url: "${fakeUrl}", api_key: "\${PLANTED}" }\nstore: { flush_interval_ms: 10 }\n`,
    }),
  );

  it('is masked in JSON read whole, in pieces, and in an SSE error event, with the right Content-Length', async () => {
    const { dir } = folder();
    const env = { PLANTED };
    const created = await runCli(build, ['keys', 'create', 'app'], { cwd: dir, env });
    const secret = /mk_[0-9A-Za-z]{32}/.exec(created.stdout)?.[0] as string;
    const serve = await startServe(build, ['--port', '0'], { cwd: dir, env });
    try {
      for (const [model, stream, status] of [['whole', false, 401], ['pieces', true, 401], ['sse', true, 400]] as const) {
        const res = await fetch(`${serve.url}/proxy/openai/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'x' }] }),
        });
        const body = await res.text();
        expect(res.status, model).toBe(status);
        expect(body.includes(PLANTED), `${model}: the body holds the provider key`).toBe(false);
        expect(body, model).toContain(`Incorrect API key provided: Bearer ${MASK}. You can find`);
        // A body read whole keeps a Content-Length, of the masked body; a relayed one is framed by the edge.
        const length = res.headers.get('content-length');
        if (model === 'whole') expect(length, model).not.toBeNull();
        if (length !== null) expect(Number(length), model).toBe(Buffer.byteLength(body));
        if (model === 'whole') expect(JSON.parse(body).error.code).toBe('invalid_api_key');
      }
    } finally {
      expect(await stopProcess(serve.child)).toBe(0);
    }
    expect(serve.output().stderr.includes(PLANTED)).toBe(false);
  });
});
