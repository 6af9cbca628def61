import { ProxyError } from '../lib/errors.js';

const MIB = 1 << 20;

/** `33554432 bytes, 32 MiB`; bytes alone under 1 MiB (`2048 bytes`). MiB to at most 2 decimals. */
function sizeOf(bytes: number): string {
  return bytes < MIB ? `${bytes} bytes` : `${bytes} bytes, ${Number((bytes / MIB).toFixed(2))} MiB`;
}

/**
 * The 413 (`payload_too_large`) for a request body over limits.max_body_bytes (`maxBytes`,
 * bytes), as sent or, with `coding`, once decoded from that Content-Encoding. It says what to
 * do: send less, or raise the limit in the config (serve reads it when it starts).
 */
export function bodyTooLargeError(maxBytes: number, coding?: string): ProxyError {
  const decoded = coding === undefined ? '' : ` once decoded (Content-Encoding: ${coding})`;
  return new ProxyError(
    'payload_too_large',
    `Request body is larger than limits.max_body_bytes (${sizeOf(maxBytes)})${decoded}. Send a smaller request, or raise limits.max_body_bytes (a size in bytes) in the config and restart serve.`,
  );
}
