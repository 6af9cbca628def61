/**
 * The few error classes tokometer raises on purpose. Each maps to one HTTP status
 * (rendered in the provider's own error shape by its adapter) and one exit code.
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'budget_exceeded'
  | 'budget_busy'
  | 'unavailable'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'internal';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  budget_exceeded: 429,
  budget_busy: 429,
  unavailable: 503,
  upstream_unreachable: 502,
  upstream_timeout: 504,
  internal: 500,
};

/** An error the proxy answers itself, before or instead of the provider. */
export class ProxyError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** Extra JSON fields merged into the provider-shaped error object (e.g. reset_at, budget). */
    readonly details: Record<string, unknown> = {},
    /** Extra response headers (e.g. Retry-After, x-should-retry). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ProxyError';
  }

  get status(): number {
    return STATUS_BY_KIND[this.kind];
  }
}

/** Bad configuration or bad CLI usage: exit code 2, message names file, line and field. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Bad CLI usage (unknown flag value, malformed date): exit code 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Ends a command with this exit code after it has printed its output (e.g. 3: `reconcile`
 * found differences beyond the tolerance). Not an error: nothing more is printed.
 */
export class ExitStatus extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitStatus';
  }
}

/** What was thrown, as text for a log line or a message: an Error's message, anything else as String() gives it. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
