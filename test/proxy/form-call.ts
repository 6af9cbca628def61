import { SECRET, type FakeCall } from './fakes.js';

/**
 * A handler call posting `form` as undici's FormData encodes it (what the official SDKs send
 * on Node), with the fixture's metering key; `sent` are the body's bytes.
 */
export async function formDataCall(url: string, form: FormData): Promise<FakeCall & { sent: Uint8Array }> {
  const request = new Request('http://client.invalid/', { method: 'POST', body: form });
  const bytes = new Uint8Array(await request.arrayBuffer());
  const client = new AbortController();
  return {
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': request.headers.get('content-type') ?? '' },
    readBody: async (limit) => (bytes.length > limit ? null : bytes),
    signal: client.signal,
    leave: () => client.abort(),
    sent: bytes,
  };
}
