import type { Migration } from './types.js';

/**
 * Schema v21: `calls.audio_seconds`, the seconds of input audio a call is billed by when its
 * model is priced by the audio's duration (whisper-1 answers `usage: {type: "duration",
 * seconds}`; Usage.audioSeconds), or the uploaded audio's length an estimate of a
 * transcription without usage read from its headers. REAL: the seconds may be fractional.
 * Kept so a reprice (`prices reprice`, store/reprice.ts) and the audit price such a call
 * again as the proxy did (seconds × USD per hour / 3600). NULL for every other call, and for
 * every call written before v21: a whisper-1 call of those has nothing to be priced again
 * from and stays as recorded (call-row.ts isBilledByDuration).
 *
 * PostgreSQL's counterpart is pg/migrations/016-audio-seconds.ts.
 */
export const audioSeconds: Migration = {
  version: 21,
  name: 'audio-seconds',
  up: `
    ALTER TABLE calls ADD COLUMN audio_seconds REAL;
  `,
};
