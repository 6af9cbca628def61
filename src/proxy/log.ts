/**
 * A tiny structured logger: one JSON object per line on stderr. Secrets never reach
 * it: callers log names and statuses, never headers, and `redact` scrubs anything
 * shaped like a key as a last line of defence.
 */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET_PATTERNS = [
  /\b(sk|mk|rk|pk)[-_][A-Za-z0-9_-]{8,}/g, // OpenAI/Anthropic-style and metering keys
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /([?&]key=)[^&\s"]+/g, // ?key= query parameters
  /(bearer\s+)[^\s"]+/gi,
];

/** Replaces anything that looks like a credential with `[redacted]`. */
export function redact(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, prefix: unknown) => (typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]'));
  }
  return out;
}

export function createLogger(write: (line: string) => void, clock: () => number = Date.now): Logger {
  const emit = (level: string, msg: string, fields?: Record<string, unknown>) => {
    write(redact(JSON.stringify({ time: new Date(clock()).toISOString(), level, msg, ...fields })) + '\n');
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
