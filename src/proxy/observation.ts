import type { Observed } from '../providers/types.js';

/**
 * What a relay learned from a response body. Each relay fills its own and hands it over
 * once, when the body ends.
 */
export interface BodyObservation {
  /** performance.now() when the first body byte arrived; null when none did. */
  firstByteAt: number | null;
  /** Usage and model read from the body, if any. */
  observed: Observed | null;
  /** Stream frames relayed: a rough output-token estimate when usage never arrives. */
  frames: number;
  /** False when usage could not be read from a JSON body: it did not parse, or the adapter failed on it (usage unknown). */
  bodyParsed: boolean;
  /** Why usage could not be read from a JSON body (`bodyParsed` false), for the record's `error`; absent otherwise. */
  unparsedWhy?: string;
  /**
   * True when a metered body was relayed without being read: JSON larger than the relay copies
   * for metering, or a content type it does not read (body-steps.ts). Billed in full, its usage
   * never seen, so the call is estimated at the request's whole output allowance. Absent otherwise.
   */
  unread?: boolean;
  /**
   * Bytes of a metered body relayed unread because of its content type (a transcription's
   * `text`, `srt` or `vtt` answer: the transcript itself; a text-to-speech answer's audio);
   * absent for any other body.
   */
  unreadBytes?: number;
  /**
   * A JSON answer read whole (not a stream) whose adapter found no usage in it: characters of
   * the output it generated (ProviderAdapter.answerTextLength), which its estimated output
   * tokens are counted from; null when the adapter cannot say (the estimate then counts the
   * request's allowance). Absent for any other body: a stream, an answer with usage, one not
   * parsed, one only some members of were parsed (usageJsonKeys), one the provider answered
   * before doing the work (Observed.pendingId).
   */
  answerChars?: number | null;
  /**
   * Bytes of a JSON answer (not a stream) the relay passed on (body-steps.ts jsonStep), also
   * when they were too many to copy (`unread`) or the body was cut: what the output of an
   * answer whose usage was never read is counted from (proxy/answer-bytes.ts). Absent for any
   * other body, and for an answer read in one call (buffered-json.ts), whose usage is read.
   */
  answerBytes?: number;
  /** The Content-Type of a metered body relayed unread because of it (`text/html`…), for the estimate's note; absent otherwise or when none was sent. */
  unreadType?: string;
  /**
   * The first bytes (up to 4 KiB) of a text-to-speech answer relayed unread (kind `speech`):
   * the audio's header, whose length a WAV or FLAC header tells (audio-length.ts). Absent otherwise.
   */
  head?: Uint8Array;
}

export function newObservation(): BodyObservation {
  return { firstByteAt: null, observed: null, frames: 0, bodyParsed: true };
}

/** How a call ended without a complete response. */
export interface Failure {
  /** HTTP status the client got (0 when it left before any was sent). */
  status: number;
  /** Short description for the record; never a secret. */
  error: string;
  seen?: BodyObservation;
  /** False when the provider cannot have seen the request (nothing billed, nothing estimated). Default true. */
  reachedProvider?: boolean;
  /**
   * Set when the provider had the whole request and generated (or most likely generated) its
   * whole answer, which tokometer never read: why, for the record's note (GeneratedUnread).
   * A non-streamed call is then estimated at its output allowance (CallRecorder.fail).
   */
  generated?: GeneratedUnread;
}

/**
 * Why a call's answer was generated but never read: `cut`, a 2xx answer whose body broke
 * after it began (a non-streamed answer is generated whole before its first byte, so it
 * was billed in full); `unanswered`, no headers within header_timeout_ms after the whole
 * request was sent (the provider most likely still generating); `shutdown`, cut when serve's
 * shutdown grace period ended (likewise).
 */
export type GeneratedUnread = 'cut' | 'unanswered' | 'shutdown';
