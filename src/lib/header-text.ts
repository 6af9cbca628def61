/**
 * What an HTTP/1.1 header can carry: a name is an RFC 9110 token; a value holds no control
 * character but tab, and nothing past U+00FF (one byte per character on the wire, as Node
 * and fetch check before sending). Imports nothing.
 */

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// eslint-disable-next-line no-control-regex
const HEADER_VALUE_FORBIDDEN = /[^\t\x20-\x7e\x80-\xff]/;

/** The value rule in words, for error messages. */
export const HEADER_VALUE_RULE = 'holds a control character or a character past U+00FF, which no HTTP header can carry';

/** A field name (RFC 9110 §5.1: a token). */
export function isHeaderName(name: string): boolean {
  return HEADER_NAME.test(name);
}

export function isHeaderValue(value: string): boolean {
  return !HEADER_VALUE_FORBIDDEN.test(value);
}
