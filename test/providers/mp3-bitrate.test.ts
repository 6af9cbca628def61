import { describe, expect, it } from 'vitest';
import { mp3Bitrate } from '../../src/providers/mp3-bitrate.js';

/** Frame headers per www.mp3-tech.org/programmer/frame_header.html: sync, version, layer, protection, bitrate index, sampling rate. */
describe('an mp3 bitrate read from its first frame header', () => {
  it('MPEG-1 Layer III FF FB 90 64: bitrate index 9 = 128 kbps, audio from byte 0', () => {
    expect(mp3Bitrate(new Uint8Array([0xff, 0xfb, 0x90, 0x64]))).toEqual({ bitsPerSecond: 128_000, audioStart: 0 });
  });

  it('MPEG-2 Layer III FF F3 44 C4: index 4 = 32 kbps; MPEG-1 Layer II FF FD E0 00: index 14 = 384 kbps', () => {
    expect(mp3Bitrate(new Uint8Array([0xff, 0xf3, 0x44, 0xc4]))?.bitsPerSecond).toBe(32_000);
    expect(mp3Bitrate(new Uint8Array([0xff, 0xfd, 0xe0, 0x00]))?.bitsPerSecond).toBe(384_000);
  });

  // ID3v2.4 with the footer flag (0x10) and size 0x01 0x00 (syncsafe: 128): 10 + 128 + 10 = 148 bytes.
  it('after an ID3v2 tag with a footer: audio from byte 148', () => {
    const head = new Uint8Array(152);
    head.set([0x49, 0x44, 0x33, 4, 0, 0x10, 0, 0, 0x01, 0x00]);
    head.set([0xff, 0xfb, 0x90, 0x64], 148);
    expect(mp3Bitrate(head)).toEqual({ bitsPerSecond: 128_000, audioStart: 148 });
  });

  it('none for a free or bad bitrate, a reserved version, a reserved sampling rate, or no sync', () => {
    for (const bytes of [[0xff, 0xfb, 0x00, 0x64], [0xff, 0xfb, 0xf0, 0x64], [0xff, 0xeb, 0x90, 0x64], [0xff, 0xfb, 0x9c, 0x64], [0x55, 0x55, 0x55, 0x55], [0xff, 0xfb]]) {
      expect(mp3Bitrate(new Uint8Array(bytes))).toBeNull();
    }
  });
});
