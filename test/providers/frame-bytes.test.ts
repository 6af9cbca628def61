import { describe, expect, it } from 'vitest';
import { asciiBytes, isJsonEventNamed, isJsonEventNotStartingWith, isOneJsonDataLine, mayCarryKey } from '../../src/providers/frame-bytes.js';

const enc = new TextEncoder();
const USAGE = asciiBytes('"usage"');

describe('isOneJsonDataLine', () => {
  it('is true only for one `data: {` line ended by LF LF', () => {
    expect(isOneJsonDataLine(enc.encode('data: {"a":1}\n\n'))).toBe(true);
    for (const frame of ['data: [DONE]\n\n', 'data:{"a":1}\n\n', 'data: {"a":1}\r\n\r\n', 'data: {"a":1}\ndata: 2\n\n', 'event: x\ndata: {"a":1}\n\n', ': comment\n\n', 'data: {', '']) {
      expect(isOneJsonDataLine(enc.encode(frame)), JSON.stringify(frame)).toBe(false);
    }
  });
});

describe('isJsonEventNamed', () => {
  const named = (text: string) => isJsonEventNamed(enc.encode(text), asciiBytes('image_generation.partial_image'));

  it('is true only for `event: NAME` (that exact name) then one `data: {` line ended by LF LF', () => {
    expect(named('event: image_generation.partial_image\ndata: {"b64_json":"iVBOR"}\n\n')).toBe(true);
    for (const frame of [
      'event: image_generation.completed\ndata: {"usage":{}}\n\n',
      'event: image_generation.partial_images\ndata: {}\n\n',
      'event: image_generation.partial_image\r\ndata: {}\r\n\r\n',
      'event: image_generation.partial_image\nevent: image_generation.completed\ndata: {}\n\n',
      'event: image_generation.partial_image\ndata: {}\ndata: {}\n\n',
      'data: {"type":"image_generation.partial_image"}\n\n',
    ]) {
      expect(named(frame), JSON.stringify(frame)).toBe(false);
    }
  });
});

describe('isJsonEventNotStartingWith', () => {
  const passes = (text: string) => isJsonEventNotStartingWith(enc.encode(text), asciiBytes('message_'));

  it('is true only for `event: NAME` then one `data: {` line ended by LF LF, NAME not starting with the prefix', () => {
    expect(passes('event: content_block_delta\ndata: {"type":"content_block_delta"}\n\n')).toBe(true);
    expect(passes('event: ping\ndata: {"type": "ping"}\n\n')).toBe(true);
    for (const frame of [
      'event: message_delta\ndata: {"usage":{}}\n\n',
      'event: message_start\ndata: {}\n\n',
      'data: {"type":"content_block_delta"}\n\n',
      'event:ping\ndata: {}\n\n',
      'event: ping\r\ndata: {}\r\n\r\n',
      'event: ping\ndata: {}\ndata: {}\n\n',
      'event: ping\nevent: message_delta\ndata: {}\n\n',
      // The name ends at a CR as at an LF: what follows is a second event line.
      'event: ping\revent: message_delta\ndata: {}\n\n',
      // An empty name: the event is the data's own type.
      'event: \ndata: {"type":"message_delta"}\n\n',
      'event: ping\ndata: [1]\n\n',
      'event: ping\n\n',
      'event: ping',
    ]) {
      expect(passes(frame), JSON.stringify(frame)).toBe(false);
    }
  });
});

describe('mayCarryKey', () => {
  const carries = (text: string) => mayCarryKey(enc.encode(text), USAGE);

  it('is false when the key is absent or every occurrence is followed by null', () => {
    expect(carries('data: {"id":"x","choices":[]}\n\n')).toBe(false);
    expect(carries('data: {"usage":null}\n\n')).toBe(false);
    expect(carries('data: {"usage" : \tnull,"x":{"usage":null}}\n\n')).toBe(false);
    expect(carries('data: {"content":"usage usage"}\n\n')).toBe(false);
  });

  it('is true when some occurrence is followed by anything but null', () => {
    expect(carries('data: {"usage":{"prompt_tokens":3}}\n\n')).toBe(true);
    expect(carries('data: {"usage":null,"x":{"usage": {}}}\n\n')).toBe(true);
    expect(carries('data: {"usage":nul')).toBe(true);
    expect(carries('data: {"usage"')).toBe(true);
  });

  it('finds the key across UTF-8 text, as the decoded check would', () => {
    expect(carries('data: {"c":"巴黎 🚀","usage":{"t":1}}\n\n')).toBe(true);
    expect(carries('data: {"c":"巴黎 🚀","usage":null}\n\n')).toBe(false);
  });
});
