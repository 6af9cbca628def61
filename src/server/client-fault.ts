/**
 * What a client can do wrong while the proxy is still reading its request: leave, or
 * stop sending its body. Both edges turn these into the same outcome: nothing is
 * forwarded, nothing is recorded (the provider never saw the call and no budget was
 * reserved), the bytes read so far are dropped and the connection is closed. A body
 * timeout is answered 408 first, in case the client is still listening.
 */
export class ClientFault extends Error {
  constructor(readonly fault: 'aborted' | 'body_timeout') {
    super(fault === 'aborted' ? 'client disconnected while sending its request' : 'client stopped sending its request body');
    this.name = 'ClientFault';
  }
}

/** The 408 body sent when a client's request body stalls (OpenAI-style error shape, which every SDK parses). */
export function bodyTimeoutBody(timeoutMs: number): string {
  return JSON.stringify({
    error: {
      message: `Request body timed out: no data for ${timeoutMs} ms (limits.client_body_timeout_ms). Nothing was forwarded.`,
      type: 'invalid_request_error',
      param: null,
      code: 'client_body_timeout',
    },
  });
}

/** The body of the 500 answer an edge sends when the handler itself fails. */
export const INTERNAL_ERROR_BODY = '{"error":{"message":"internal error","type":"server_error","param":null,"code":"internal"}}';
