import { findRepeatedKey, timesWord } from '../lib/json-repeated-key.js';
import type { IncomingCall, OutgoingResponse } from '../proxy/types.js';

/** Largest admin request body read, bytes. */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

/**
 * An admin API failure, answered as `{"error":{"message","type","code"}}` with `status`
 * (400 bad input, 401 bad token, 404 unknown path or name, 405 wrong method, 409 name taken).
 */
export class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

export const badRequest = (code: string, message: string) => new AdminError(400, 'invalid_request_error', code, message);
export const notFound = (code: string, message: string) => new AdminError(404, 'not_found_error', code, message);

/** A JSON response (pretty-printed: it is read by people with curl as often as by programs). */
export function json(status: number, body: unknown): OutgoingResponse {
  return { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(body, null, 2) + '\n' };
}

export function errorJson(e: AdminError): OutgoingResponse {
  const res = json(e.status, { error: { message: e.message, type: e.type, code: e.code } });
  return { ...res, headers: { ...res.headers, ...e.headers } };
}

/**
 * Reads the request body as a JSON object; an empty body is `{}`. A body holding a field twice
 * (`{"budget":{"limit_usd":500,"limit_usd":5}}`, at any depth) is refused with 400
 * `invalid_body` naming it: JSON.parse would keep the last value without a word, and set a
 * cap, a tag or a reset the operator did not mean.
 */
export async function readJsonObject(call: IncomingCall): Promise<Record<string, unknown>> {
  const body = await call.readBody(MAX_ADMIN_BODY_BYTES);
  if (body === null) throw new AdminError(413, 'invalid_request_error', 'body_too_large', `Request body is larger than ${MAX_ADMIN_BODY_BYTES} bytes.`);
  const text = new TextDecoder().decode(body).trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('invalid_json', 'Request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('invalid_json', 'Request body must be a JSON object.');
  const repeat = findRepeatedKey(text);
  if (repeat !== null) {
    const field = [...repeat.path, repeat.key].join('.');
    throw badRequest('invalid_body', `Invalid request body: ${field} appears ${timesWord(repeat.times)} (JSON keeps only the last); send each field once.`);
  }
  return value as Record<string, unknown>;
}
