/**
 * A mono 16-bit PCM WAV file of `seconds` at `sampleRate` Hz (default 16 kHz: 32,000 data
 * bytes a second), silent samples after a 44-byte header: an upload whose length
 * providers/audio-length.ts reads exactly, for transcription tests.
 */
export function pcmWav(seconds: number, sampleRate = 16_000): Uint8Array<ArrayBuffer> {
  const data = sampleRate * 2 * seconds;
  const bytes = new Uint8Array(44 + data);
  const view = new DataView(bytes.buffer);
  const ascii = (at: number, text: string) => {
    for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + data, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, data, true);
  return bytes;
}
