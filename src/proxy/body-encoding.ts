import * as zlib from 'node:zlib';
import { ProxyError, errorMessage } from '../lib/errors.js';
import { type Result, ok, err } from '../lib/result.js';
import { bodyTooLargeError } from './body-limit.js';

/**
 * Request bodies sent with a `Content-Encoding` (RFC 9110 §8.4). The proxy must read a
 * body to know the model (the key's allow-list), the output limit (the budget estimate)
 * and the prompt size, so an encoded body is decoded here, and the decoded bytes are
 * what is described, checked, recorded and forwarded (forward.ts drops Content-Encoding).
 * A body it cannot decode is refused, never forwarded unchecked: 415 for a coding it
 * does not know, 413 when decoding passes limits.max_body_bytes (a zip bomb stops at
 * that many bytes), 400 for bytes that are not what their coding says.
 *
 * Only called when the header is present, so a plain request pays one header lookup.
 * Decoding is synchronous (node:zlib's *Sync functions, on Node and Bun alike): it runs
 * once per encoded request, bounded by the limit, with no stream to set up.
 */

/** One decoder: encoded bytes in, at most `maxOutputLength` decoded bytes out; throws on bad input or past the limit. */
type Decode = (input: Uint8Array, options: { maxOutputLength: number }) => Uint8Array;

/**
 * zstd, where node:zlib has it (Bun; Node from 22.15). Looked up as a feature, not per
 * runtime: it takes maxOutputLength like the others, which Bun.zstdDecompressSync does not.
 */
const zstdDecompress = (zlib as unknown as { zstdDecompressSync?: Decode }).zstdDecompressSync;

/**
 * HTTP `deflate` is the zlib format (RFC 1950), but some clients send raw deflate
 * (RFC 1951), as browsers and curl accept in responses: the header's check bits tell them apart.
 */
const inflateEither: Decode = (input, options) => {
  const zlibHeader = input.length >= 2 && (input[0]! & 0x0f) === 8 && ((input[0]! << 8) | input[1]!) % 31 === 0;
  return zlibHeader ? zlib.inflateSync(input, options) : zlib.inflateRawSync(input, options);
};

/** The codings this build decodes, by lower-case name; `x-gzip` is gzip's old alias (RFC 9110 §8.4.1.3). */
const DECODERS: ReadonlyMap<string, Decode> = new Map<string, Decode>([
  ['gzip', zlib.gunzipSync],
  ['x-gzip', zlib.gunzipSync],
  ['deflate', inflateEither],
  ['br', zlib.brotliDecompressSync],
  ...(zstdDecompress ? [['zstd', zstdDecompress] as const] : []),
]);

/** The codings accepted, as listed in a 415's message and its `Accept-Encoding` header. */
export const ACCEPTED_ENCODINGS: string = zstdDecompress ? 'gzip, deflate, br, zstd' : 'gzip, deflate, br';

/** Most codings one body may stack (`gzip, br` is two); each layer is bounded by the limit, this bounds the layers. */
const MAX_CODINGS = 2;

/**
 * The body as the provider would read it once `contentEncoding` is undone, in at most
 * `maxBytes` bytes. `identity` and empty members are skipped; an empty body stays empty.
 * The error is ready to answer in the provider's shape.
 */
export function decodeRequestBody(body: Uint8Array, contentEncoding: string, maxBytes: number): Result<Uint8Array, ProxyError> {
  const codings = contentEncoding
    .toLowerCase()
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length > MAX_CODINGS) {
    return err(unsupported(`Content-Encoding ${quote(contentEncoding)} stacks ${codings.length} codings; tokometer decodes at most ${MAX_CODINGS}.`));
  }
  for (const coding of codings) {
    if (DECODERS.has(coding)) continue;
    const why =
      coding === 'zstd'
        ? "Content-Encoding 'zstd' cannot be decoded by this tokometer (its runtime's zlib has no zstd; the Bun binary and Node.js 22.15+ have it)."
        : `Content-Encoding ${quote(coding)} is not supported by tokometer, which must read the body to meter it.`;
    return err(unsupported(why));
  }
  if (body.length === 0) return ok(body);

  let decoded = body;
  // Codings are listed in the order they were applied: undo the last first.
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i]!;
    try {
      decoded = (DECODERS.get(coding) as Decode)(decoded, { maxOutputLength: maxBytes });
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
        return err(bodyTooLargeError(maxBytes, coding));
      }
      return err(new ProxyError('bad_request', `Request body is not valid ${coding} data (${errorMessage(error)}), as its Content-Encoding says; send it uncompressed or encoded correctly.`));
    }
  }
  return ok(decoded);
}

function unsupported(why: string): ProxyError {
  return new ProxyError('unsupported_media_type', `${why} Send the request body uncompressed, or with Content-Encoding ${ACCEPTED_ENCODINGS.replace(/, (?=[^,]*$)/, ' or ')}.`, {}, { 'accept-encoding': ACCEPTED_ENCODINGS });
}

/** Quotes a client's header value for a message, shortened so a huge value cannot flood the response. */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
}

