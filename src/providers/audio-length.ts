/**
 * How long an uploaded audio file plays, and so how many audio tokens a transcription of it
 * is billed, told from its bytes without decoding it: for a transcription whose answer
 * carries no usage (a `text` answer), estimated from the request (proxy/call-recorder.ts).
 *
 * The rule, per file:
 * - WAV (`RIFF`…`WAVE`) of PCM: its `data` chunk's size over sample rate × channels ×
 *   bytes per sample, as a decoder plays it (a `data` size of 0 or 0xFFFFFFFF, as streamed
 *   WAVs write, or past the file's end: the bytes the file has). The header's byte rate is
 *   not read: it is redundant and can be wrong. A compressed WAV falls to the last rule.
 * - FLAC (`fLaC`): STREAMINFO's total samples over its sample rate (0 means unknown and
 *   falls to the last rule), and never less than the file's size at the uncompressed rate.
 * - Anything else (MP3, M4A/MP4, OGG, WebM…): its size at {@link ASSUMED_BYTES_PER_SECOND}
 *   (64 kbps). A file encoded at b kbps is estimated at b/64 times its real length: half
 *   of it at 32 kbps (browser Opus), twice at 128 kbps (a common MP3), five times at 320 kbps.
 * Then {@link AUDIO_TOKENS_PER_SECOND} tokens per second, rounded up per file.
 *
 * Pure; reads at most a few headers, never the audio.
 */

/**
 * Audio input tokens per second of audio. OpenAI publishes no rate for its transcription
 * models; its Realtime API tokenises user audio at 10 per second (community.openai.com
 * t/971012), and gpt-4o-transcribe's "estimated $0.006 per minute" at $6 per 1M audio tokens
 * fits 600 audio tokens a minute plus the transcript's output.
 */
export const AUDIO_TOKENS_PER_SECOND = 10;

/** Bytes per second assumed for a compressed file whose header tokometer does not read: 64 kbps. */
export const ASSUMED_BYTES_PER_SECOND = 8_000;

/** Most RIFF chunks walked looking for a WAV file's `data` chunk (a malformed file ends sooner). */
const MAX_WAV_CHUNKS = 64;

/** Seconds `file` plays, by the rule above; 0 for an empty file. */
export function audioSecondsOf(file: Uint8Array): number {
  return headerSeconds(file, file.length) ?? file.length / ASSUMED_BYTES_PER_SECOND;
}

/**
 * Seconds a file of `totalBytes` plays whose first bytes are `head`, when its header tells
 * (the WAV and FLAC rules above, the bytes past `head` counted as the file's); null when it
 * does not (any other format, a FLAC of unknown total, a header cut short). For audio relayed
 * without being kept whole (a text-to-speech answer).
 */
export function headerSeconds(head: Uint8Array, totalBytes: number): number | null {
  return wavSeconds(head, totalBytes) ?? flacSeconds(head, totalBytes);
}

/** Seconds for a record's note: up to 3 decimals, no trailing zeros (30, 9.25, 0.001). */
export function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 1000) / 1000);
}

/** Estimated audio input tokens of `file`: ceil(seconds × {@link AUDIO_TOKENS_PER_SECOND}), an integer >= 0. */
export function estimateAudioTokens(file: Uint8Array): number {
  return Math.ceil(audioSecondsOf(file) * AUDIO_TOKENS_PER_SECOND);
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function u32le(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

/** Highest sample rate taken as played (Hz): past it a header is taken as wrong, and the file is timed by its size. */
const MAX_SAMPLE_RATE = 384_000;

/** WAV format tags whose data is PCM samples: integer PCM, IEEE float, and WAVE_FORMAT_EXTENSIBLE. */
const PCM_FORMATS: ReadonlySet<number> = new Set([0x0001, 0x0003, 0xfffe]);

function u16le(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8);
}

/** Bytes per second of uncompressed audio at `sampleRate` Hz, `channels` × `bits`; null when that is no playable format. */
function pcmBytesPerSecond(sampleRate: number, channels: number, bits: number): number | null {
  if (sampleRate < 1 || sampleRate > MAX_SAMPLE_RATE || channels < 1 || bits < 1 || bits > 64) return null;
  return sampleRate * channels * Math.ceil(bits / 8);
}

/**
 * A PCM WAV file's length: its `data` chunk's size over sample rate × channels × bytes per
 * sample, as a decoder plays it (the `fmt ` byte rate is a redundant field a header can get
 * wrong, and is not read), the file being `totalBytes` long of which `file` holds the first.
 * Null when it is not a WAV file, names no `fmt ` before its data (within `file`), or holds no
 * playable PCM (a compressed format, a sample rate of 0 or past 384 kHz).
 */
function wavSeconds(file: Uint8Array, totalBytes: number): number | null {
  if (file.length < 12 || ascii(file, 0, 4) !== 'RIFF' || ascii(file, 8, 4) !== 'WAVE') return null;
  let bytesPerSecond: number | null = null;
  let pos = 12;
  for (let chunk = 0; chunk < MAX_WAV_CHUNKS && pos + 8 <= file.length; chunk++) {
    const id = ascii(file, pos, 4);
    const size = u32le(file, pos + 4);
    const body = pos + 8;
    if (id === 'fmt ' && size >= 16 && body + 16 <= file.length) {
      const pcm = PCM_FORMATS.has(u16le(file, body));
      bytesPerSecond = pcm ? pcmBytesPerSecond(u32le(file, body + 4), u16le(file, body + 2), u16le(file, body + 14)) : null;
    } else if (id === 'data') {
      if (bytesPerSecond === null) return null;
      const available = totalBytes - body;
      return (size === 0 || size > available ? available : size) / bytesPerSecond;
    }
    // Chunks are padded to an even size.
    pos = body + size + (size & 1);
  }
  return null;
}

/**
 * A FLAC file's length from its STREAMINFO block (the first metadata block): its total
 * samples over its sample rate, and never less than the file's size at the uncompressed
 * rate STREAMINFO names (FLAC never stores audio larger than uncompressed, and a decoder
 * plays the frames whatever total the header claims). Null when it is not one, or its
 * total is unknown (0).
 */
function flacSeconds(file: Uint8Array, totalBytes: number): number | null {
  // "fLaC", a block header (type 0 = STREAMINFO in the low 7 bits), then 10 bytes of block and frame sizes.
  if (file.length < 26 || ascii(file, 0, 4) !== 'fLaC' || (file[4]! & 0x7f) !== 0) return null;
  // 20 bits of sample rate, 3 of channels - 1, 5 of bits per sample - 1, 36 of total samples.
  const sampleRate = (file[18]! << 12) | (file[19]! << 4) | (file[20]! >> 4);
  const channels = ((file[20]! >> 1) & 0x07) + 1;
  const bits = (((file[20]! & 0x01) << 4) | (file[21]! >> 4)) + 1;
  const samples = (file[21]! & 0x0f) * 2 ** 32 + ((file[22]! << 24) >>> 0) + (file[23]! << 16) + (file[24]! << 8) + file[25]!;
  if (sampleRate === 0 || samples === 0) return null;
  const uncompressed = pcmBytesPerSecond(sampleRate, channels, bits);
  return Math.max(samples / sampleRate, uncompressed === null ? 0 : totalBytes / uncompressed);
}


/**
 * A transcription upload as RequestInfo.upload describes it: its text fields' bytes, and its
 * audio (FormFields.files), each file's length read once: `audioSeconds` the files play, by
 * the rule above (the sum, fractional), what a model billed by the audio's duration
 * (whisper-1) bills as far as the headers tell; `audioTokens` the estimated audio input
 * tokens (each file's rounded up, as estimateAudioTokens rounds them). The reservation holds
 * them, and an answer without usage is estimated from them.
 */
export function audioUpload(textBytes: number, files: readonly Uint8Array[]): { textBytes: number; audioTokens: number; audioSeconds: number } {
  let audioTokens = 0;
  let audioSeconds = 0;
  for (const file of files) {
    const seconds = audioSecondsOf(file);
    audioSeconds += seconds;
    audioTokens += Math.ceil(seconds * AUDIO_TOKENS_PER_SECOND);
  }
  return { textBytes, audioTokens, audioSeconds };
}
