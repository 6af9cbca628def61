/**
 * The bitrate of an mp3 from its first bytes: the first MPEG audio frame header, after an
 * ID3v2 tag when there is one. Layout and tables: www.mp3-tech.org/programmer/frame_header.html
 * (ISO/IEC 11172-3 and 13818-3): 11 sync bits, version (2 bits), layer (2), protection (1),
 * bitrate index (4), sampling rate index (2), … Exact for a constant-bitrate file; a variable
 * bitrate file's first frame (often a Xing/Info frame) says only its own. Pure, no allocation.
 */

/** kbps by bitrate index 1–14 (0 is "free", 15 "bad"): MPEG-1 layers I, II, III, then MPEG-2/2.5 layer I, layers II and III. */
const KBPS_V1_L1 = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448];
const KBPS_V1_L2 = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384];
const KBPS_V1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const KBPS_V2_L1 = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256];
const KBPS_V2_L23 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/** Bytes of an ID3v2 tag at `head`'s start (10-byte header + its syncsafe size, + a 10-byte footer when flagged), 0 when none. */
function id3v2Bytes(head: Uint8Array): number {
  if (head.length < 10 || head[0] !== 0x49 || head[1] !== 0x44 || head[2] !== 0x33) return 0;
  const size = ((head[6]! & 0x7f) << 21) | ((head[7]! & 0x7f) << 14) | ((head[8]! & 0x7f) << 7) | (head[9]! & 0x7f);
  const footer = (head[5]! & 0x10) !== 0 ? 10 : 0;
  return 10 + size + footer;
}

/** The bitrate (bits a second) of a valid MPEG audio frame header at `at`, else null (no sync, a reserved version or layer, a free or bad bitrate, a reserved sampling rate). */
function frameBitsPerSecond(head: Uint8Array, at: number): number | null {
  if (at + 4 > head.length || head[at] !== 0xff || (head[at + 1]! & 0xe0) !== 0xe0) return null;
  const version = (head[at + 1]! >> 3) & 0b11; // 00 MPEG-2.5, 01 reserved, 10 MPEG-2, 11 MPEG-1
  const layer = (head[at + 1]! >> 1) & 0b11; // 01 layer III, 10 layer II, 11 layer I, 00 reserved
  const index = head[at + 2]! >> 4;
  const rate = (head[at + 2]! >> 2) & 0b11;
  if (version === 0b01 || layer === 0b00 || index === 0 || index === 15 || rate === 0b11) return null;
  const table = version === 0b11 ? (layer === 0b11 ? KBPS_V1_L1 : layer === 0b10 ? KBPS_V1_L2 : KBPS_V1_L3) : layer === 0b11 ? KBPS_V2_L1 : KBPS_V2_L23;
  return table[index]! * 1000;
}

/**
 * The mp3's bitrate (bits a second) and where its audio starts (bytes: the ID3v2 tag's, 0 without
 * one), read from its first frame header in `head`; null when `head` holds none there (a tag
 * larger than the head, a body that is no mp3).
 */
export function mp3Bitrate(head: Uint8Array): { bitsPerSecond: number; audioStart: number } | null {
  const audioStart = id3v2Bytes(head);
  const bitsPerSecond = frameBitsPerSecond(head, audioStart);
  return bitsPerSecond === null ? null : { bitsPerSecond, audioStart };
}
