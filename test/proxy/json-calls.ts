import { createPricer } from '../../src/pricing/pricer.js';
import { SECRET, type FakeCall, type Fixture } from './fakes.js';

/** A client's JSON POSTs for the proxy tests, and the pinned catalog's prices in place of the fixture's flat test rates. */

/** Prices `f`'s calls with the pinned catalog instead of the fixture's flat test rates; returns `f`. */
export function pricedByCatalog(f: Fixture): Fixture {
  const catalog = createPricer();
  f.pricer.price = (usage, ctx) => catalog.price(usage, ctx);
  return f;
}

/** A client's JSON POST of `body` to `url` with the test key; `leave()` makes the client go away. */
export function jsonCall(url: string, body: unknown): FakeCall {
  const bytes = new TextEncoder().encode(JSON.stringify(body));
  const client = new AbortController();
  return {
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
    readBody: async (limit) => (bytes.length > limit ? null : bytes),
    signal: client.signal,
    leave: () => client.abort(),
  };
}

/** A client's JSON POST to /proxy/openai/v1/audio/speech (OpenAI text-to-speech). */
export const speechCall = (body: object): FakeCall => jsonCall('/proxy/openai/v1/audio/speech', body);
