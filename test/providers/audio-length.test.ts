import { describe, expect, it } from 'vitest';
import { audioSecondsOf, estimateAudioTokens, audioUpload } from '../../src/providers/audio-length.js';

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const u16 = (n: number) => [n & 0xff, (n >>> 8) & 0xff];

/** A WAV file: RIFF header, `chunks` (id, body) in order, then the PCM bytes of `data` (size `dataSize`, default their count). */
function wav(options: { byteRate: number; pcmBytes: number; dataSize?: number; before?: Array<[string, number[]]> }): Uint8Array {
  const fmt = [...u16(1), ...u16(1), ...u32(options.byteRate / 2), ...u32(options.byteRate), ...u16(2), ...u16(16)];
  const chunks: number[] = [...ascii('fmt '), ...u32(fmt.length), ...fmt];
  for (const [id, body] of options.before ?? []) chunks.push(...ascii(id), ...u32(body.length), ...body, ...(body.length % 2 === 1 ? [0] : []));
  chunks.push(...ascii('data'), ...u32(options.dataSize ?? options.pcmBytes));
  const head = [...ascii('RIFF'), ...u32(4 + chunks.length + options.pcmBytes), ...ascii('WAVE'), ...chunks];
  const file = new Uint8Array(head.length + options.pcmBytes);
  file.set(head);
  return file;
}

/** A WAV file with its `fmt ` fields as given (a header written wrong, or on purpose), then `pcmBytes` of data. */
function wavWith(fmt: { format?: number; channels: number; sampleRate: number; byteRate: number; bits: number }, pcmBytes: number): Uint8Array {
  const blockAlign = fmt.channels * Math.ceil(fmt.bits / 8);
  const body = [...u16(fmt.format ?? 1), ...u16(fmt.channels), ...u32(fmt.sampleRate), ...u32(fmt.byteRate), ...u16(blockAlign), ...u16(fmt.bits)];
  const head = [...ascii('RIFF'), ...u32(4 + 8 + body.length + 8 + pcmBytes), ...ascii('WAVE'), ...ascii('fmt '), ...u32(body.length), ...body, ...ascii('data'), ...u32(pcmBytes)];
  const file = new Uint8Array(head.length + pcmBytes);
  file.set(head);
  return file;
}

/** A FLAC file's first 42 bytes (marker, STREAMINFO as the last metadata block) and `rest` bytes of frames. */
function flac(sampleRate: number, totalSamples: number, rest: number): Uint8Array {
  const info = new Uint8Array(34);
  info[10] = sampleRate >>> 12;
  info[11] = (sampleRate >>> 4) & 0xff;
  // Sample rate's low 4 bits, then channels - 1 (1: stereo) and the top bit of bits per sample - 1 (15).
  info[12] = ((sampleRate & 0x0f) << 4) | (1 << 1);
  info[13] = (0x0f << 4) | Math.floor(totalSamples / 2 ** 32);
  info.set(u32(totalSamples >>> 0).reverse(), 14);
  const file = new Uint8Array(4 + 4 + 34 + rest);
  file.set(ascii('fLaC'));
  file.set([0x80, 0, 0, 34], 4);
  file.set(info, 8);
  return file;
}

describe('audio length without decoding, and its audio tokens (10 per second)', () => {
  // 16 kHz mono 16-bit PCM: 32,000 bytes per second; 64,000 bytes of data = 2 s = 20 tokens.
  it('reads a WAV file from its fmt byte rate and data size: 2 s, 20 tokens', () => {
    const file = wav({ byteRate: 32_000, pcmBytes: 64_000 });
    expect(audioSecondsOf(file)).toBe(2);
    expect(estimateAudioTokens(file)).toBe(20);
  });

  // A LIST chunk of 5 bytes (padded to 6) before the data; 48 kHz stereo 16-bit = 192,000 bytes/s.
  it('steps over other chunks (odd sizes padded) to the data: 96,000 bytes at 192,000/s = 0.5 s, 5 tokens', () => {
    const file = wav({ byteRate: 192_000, pcmBytes: 96_000, before: [['LIST', [1, 2, 3, 4, 5]]] });
    expect(audioSecondsOf(file)).toBe(0.5);
    expect(estimateAudioTokens(file)).toBe(5);
  });

  // A streamed WAV writes 0xFFFFFFFF: the bytes the file has count (32,000 = 1 s).
  it('reads a data size past the end of the file as the bytes the file has: 1 s, 10 tokens', () => {
    expect(estimateAudioTokens(wav({ byteRate: 32_000, pcmBytes: 32_000, dataSize: 0xffffffff }))).toBe(10);
  });

  // 441,000 samples at 44.1 kHz = 10 s, whatever the 5,000 bytes after the header are.
  it('reads a FLAC file from STREAMINFO: 10 s, 100 tokens', () => {
    const file = flac(44_100, 441_000, 5_000);
    expect(audioSecondsOf(file)).toBe(10);
    expect(estimateAudioTokens(file)).toBe(100);
  });

  // A FLAC file whose encoder wrote no total (0): its 42 + 79,958 = 80,000 bytes at 64 kbps = 10 s.
  it('takes a FLAC file without a total sample count by its size at 64 kbps: 10 s', () => {
    expect(audioSecondsOf(flac(44_100, 0, 79_958))).toBe(10);
  });

  // MP3, M4A, OGG, WebM…: bytes / 8,000. 80,000 bytes = 10 s = 100 tokens; 8,001 bytes = 1.000125 s, rounded up to 11 tokens.
  it('takes any other file by its size at 64 kbps (8,000 bytes per second), rounding tokens up', () => {
    const mp3 = new Uint8Array(80_000);
    mp3.set(ascii('ID3'));
    expect(audioSecondsOf(mp3)).toBe(10);
    expect(estimateAudioTokens(mp3)).toBe(100);
    expect(estimateAudioTokens(new Uint8Array(8_001))).toBe(11);
    expect(estimateAudioTokens(new Uint8Array(0))).toBe(0);
  });

  // A RIFF header with no fmt chunk before its data names no byte rate: 24 bytes at 64 kbps.
  it('takes a WAV file without a byte rate by its size', () => {
    const file = new Uint8Array([...ascii('RIFF'), ...u32(16), ...ascii('WAVE'), ...ascii('data'), ...u32(4), 0, 0, 0, 0]);
    expect(audioSecondsOf(file)).toBe(24 / 8_000);
  });

  // A review: the byte rate is a redundant field (sample rate × block align) that decoders do not play by. A 60 s file of
  // 16 kHz mono 16-bit PCM (1,920,000 bytes) claiming 0xFFFFFFFF bytes per second was estimated at 1 token, and a 10 s
  // one (320,000 bytes) claiming 2 bytes per second at 1,600,000 tokens ($9.60 at $6 per 1M).
  it('times a PCM WAV file by its sample rate and block align, never by the byte rate it claims', () => {
    const pcm16k = { channels: 1, sampleRate: 16_000, bits: 16 };
    expect(estimateAudioTokens(wavWith({ ...pcm16k, byteRate: 0xffffffff }, 1_920_000))).toBe(600);
    expect(estimateAudioTokens(wavWith({ ...pcm16k, byteRate: 2 }, 320_000))).toBe(100);
    // 48 kHz stereo 24-bit: 48,000 × 2 × 3 = 288,000 bytes per second; 144,000 bytes = 0.5 s.
    expect(audioSecondsOf(wavWith({ channels: 2, sampleRate: 48_000, bits: 24, byteRate: 0 }, 144_000))).toBe(0.5);
  });

  // What cannot be played as PCM is timed by its size at 64 kbps: a sample rate of 0 or past 384 kHz, no channels, or a
  // compressed format inside the WAV (0x55: MP3). 80,000 bytes of data + 44 of header = 80,044 bytes: 10.0055 s.
  it('takes a WAV file whose fmt cannot be played as PCM by its size', () => {
    for (const fmt of [
      { channels: 1, sampleRate: 0, bits: 16, byteRate: 32_000 },
      { channels: 1, sampleRate: 4_000_000_000, bits: 16, byteRate: 32_000 },
      { channels: 0, sampleRate: 16_000, bits: 16, byteRate: 32_000 },
      { format: 0x55, channels: 1, sampleRate: 16_000, bits: 0, byteRate: 16_000 },
    ]) expect(audioSecondsOf(wavWith(fmt, 80_000))).toBe(80_044 / 8_000);
  });

  // A FLAC file is never larger than its audio uncompressed: 44.1 kHz stereo 16-bit is 176,400 bytes per second, so
  // 1,764,000 bytes play at least 10 s whatever total STREAMINFO claims (1 sample here), as a decoder plays its frames.
  it('times a FLAC file at no less than its size at the uncompressed rate its STREAMINFO names', () => {
    expect(audioSecondsOf(flac(44_100, 1, 1_764_000 - 42))).toBe(10);
    expect(audioSecondsOf(flac(44_100, 441_000 * 3, 1_764_000 - 42))).toBe(30);
  });

  it('sums the files of an upload: 20 + 100 = 120 tokens', () => {
    expect(audioUpload(0, [wav({ byteRate: 32_000, pcmBytes: 64_000 }), new Uint8Array(80_000)]).audioTokens).toBe(120);
  });
});
