import type { FakeCall } from './fakes.js';
import { formDataCall } from './form-call.js';
export { jsonCall, pricedByCatalog } from './json-calls.js';

/** Calls to OpenAI's Images API for the proxy tests (images*.test.ts), and the pinned catalog's prices. */

/** 40,000 bytes standing in for an image file (no header tokometer reads). */
export const IMAGE = new Uint8Array(40_000).fill(0x89);

/** A multipart form as undici's FormData encodes it: text fields, and a file for each `file:NAME` entry. */
export async function formCall(url: string, fields: ReadonlyArray<readonly [string, string]>): Promise<FakeCall> {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (name.startsWith('file:')) form.append(name.slice(5), new Blob([IMAGE], { type: 'image/png' }), value);
    else form.append(name, value);
  }
  return formDataCall(url, form);
}

/** A base64 "image" of `bytes` characters (what a partial or final image frame carries). */
export const b64 = (bytes: number) => 'iVBORw0KGgo'.padEnd(bytes, 'A');
