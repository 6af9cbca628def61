import { describe, expect, it } from 'vitest';
import { readFormFields, type FormFields } from '../../src/proxy/form-fields.js';

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

/** A body that interleaves text with raw bytes (the file). */
function join(...parts: Array<string | Uint8Array>): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? bytes(p) : p));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** What a form's text fields say (its file parts are checked on their own). */
function textOf(form: FormFields | null): Omit<FormFields, 'files'> | null {
  if (form === null) return null;
  const { files: _files, ...text } = form;
  return text;
}

describe('readFormFields: the text fields of a multipart form', () => {
  it('reads fields before and after a file part whose bytes look like boundaries, stepping over the file', () => {
    const file = join('\r\n--\r\n', new Uint8Array([0xff, 0x00, 0x0d, 0x0a, 0x2d, 0x2d]), '--XYZ-not\r\n--XY');
    const body = join(
      '--XYZ\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n',
      '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\nContent-Type: audio/mpeg\r\n\r\n',
      file,
      '\r\n--XYZ\r\ncontent-disposition: form-data; name=prompt\r\n\r\nNames: Zoë, Ana\r\n',
      '--XYZ--\r\n',
    );
    // 'whisper-1' 9 bytes + 'Names: Zoë, Ana' 16 bytes (ë is 2): 25.
    expect(textOf(readFormFields('multipart/form-data; boundary=XYZ', body))).toEqual({ fields: { model: 'whisper-1', prompt: 'Names: Zoë, Ana' }, textBytes: 25, conflicting: [] });
  });

  // The file's 17 bytes exactly, its boundary-like bytes included, as a view of the body (no copy).
  it('hands each file part over as a view of its bytes, up to the delimiter', () => {
    const file = join('\r\n--\r\n', new Uint8Array([0xff, 0x00, 0x0d, 0x0a, 0x2d, 0x2d]), '--XYZ-n');
    const body = join(
      '--XYZ\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n',
      '--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.mp3"\r\n\r\n',
      file,
      '\r\n--XYZ--\r\n',
    );
    const files = readFormFields('multipart/form-data; boundary=XYZ', body)?.files ?? [];
    expect(files).toHaveLength(1);
    expect(Array.from(files[0]!)).toEqual(Array.from(file));
    expect(files[0]!.buffer).toBe(body.buffer);
  });

  it('takes a quoted boundary, a preamble, the first of a repeated name, and a part without headers', () => {
    const body = bytes(
      'preamble\r\n--a b\r\nContent-Disposition: form-data; name="include[]"\r\n\r\nlogprobs\r\n--a b\r\nContent-Disposition: form-data; name="include[]"\r\n\r\nother\r\n--a b\r\n\r\nnameless\r\n--a b--',
    );
    expect(textOf(readFormFields('Multipart/Form-Data; charset=utf-8; boundary="a b"', body))).toEqual({ fields: { 'include[]': 'logprobs' }, textBytes: 13, conflicting: [] });
  });

  it('counts a text field over 64 KiB without decoding it', () => {
    const long = 'x'.repeat(70_000);
    const body = bytes(`--B\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n${long}\r\n--B\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-4o-transcribe\r\n--B--\r\n`);
    expect(textOf(readFormFields('multipart/form-data; boundary=B', body))).toEqual({ fields: { model: 'gpt-4o-transcribe' }, textBytes: 70_017, conflicting: [] });
  });

  it('keeps what it read before a form breaks off', () => {
    const body = bytes('--B\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-4o-transcribe\r\n--B\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF');
    expect(textOf(readFormFields('multipart/form-data; boundary=B', body))).toEqual({ fields: { model: 'gpt-4o-transcribe' }, textBytes: 17, conflicting: [] });
  });

  it('is null for a body that is not a multipart form', () => {
    expect(readFormFields('application/json', bytes('{"model":"x"}'))).toBeNull();
    expect(readFormFields(undefined, bytes('--B\r\n'))).toBeNull();
    expect(readFormFields('multipart/form-data', bytes('--B\r\n'))).toBeNull();
    expect(readFormFields('multipart/mixed; boundary=B', bytes('--B\r\n'))).toBeNull();
  });
});

describe('readFormFields: repeated names', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  const field = (name: string, value: string) => `--B\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  // Which value of a repeated non-array field a provider takes depends on its parser: listed as conflicting.
  it('lists a name repeated with a different value, not one repeated with the same value, nor an array field', () => {
    const body = bytes(field('model', 'a') + field('model', 'b') + field('model', 'c') + field('language', 'en') + field('language', 'en') + field('include[]', 'x') + field('include[]', 'y') + '--B--');
    expect(textOf(readFormFields('multipart/form-data; boundary=B', body))).toEqual({ fields: { model: 'a', language: 'en', 'include[]': 'x' }, textBytes: 9, conflicting: ['model'], otherValues: { model: 'b' } });
  });
});

describe('readFormFields: line ends', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  // Go's mime/multipart takes LF-only forms; a preamble, a headerless part and a CRLF inside the file are read as it reads them.
  it('reads a form whose lines end in LF alone, keeping a CR LF inside a file', () => {
    const body = bytes('pre\n--B\nContent-Disposition: form-data; name="file"; filename="a"\n\nX\r\nY\n--B\ncontent-disposition: form-data; name=model\n\nm1\n--B\n\nnameless\n--B--\n');
    expect(textOf(readFormFields('multipart/form-data; boundary=B', body))).toEqual({ fields: { model: 'm1' }, textBytes: 2, conflicting: [] });
  });
});

describe('readFormFields: long boundaries', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  // RFC 2046 caps a boundary at 70 characters, but Go's mime.ParseMediaType and multipart
  // reader take any length: a form with a 75-character quoted boundary runs at a provider.
  // Read with the 70-character cap, its boundary became `"aaa…` (the quote kept) and no field
  // was read: model null, the call unpriced and $0 against budgets.
  it('reads a form with a quoted 75-character boundary', () => {
    const b = 'a'.repeat(75);
    const body = bytes(`--${b}\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-4o-transcribe\r\n--${b}--\r\n`);
    expect(textOf(readFormFields(`multipart/form-data; boundary="${b}"`, body))).toEqual({ fields: { model: 'gpt-4o-transcribe' }, textBytes: 17, conflicting: [] });
  });
});

describe('readFormFields: folded part headers', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  // Go's textproto header reader (which mime/multipart uses for part headers) joins a line
  // that starts with a space or tab to the one before (obsolete line folding), so a provider
  // may read `name="model"` from the second line; read line by line, the part had no name.
  it('reads a Content-Disposition folded over two lines', () => {
    const body = bytes('--B\r\nContent-Disposition: form-data;\r\n name="model"\r\n\r\ngpt-4o-transcribe\r\n--B--\r\n');
    expect(textOf(readFormFields('multipart/form-data; boundary=B', body))).toEqual({ fields: { model: 'gpt-4o-transcribe' }, textBytes: 17, conflicting: [] });
  });
});

describe('readFormFields: an RFC 2231 extended name', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  // Go's mime.ParseMediaType (multipart Part.FormName) decodes `name*=UTF-8''model` into the
  // name `model`, and prefers it to a plain `name`; read as a plain name only, the part had none.
  it("reads name*=UTF-8''model, and prefers it to a plain name", () => {
    const body = bytes(
      "--B\r\nContent-Disposition: form-data; name*=UTF-8''mod%65l\r\n\r\ngpt-4o-transcribe\r\n" +
        "--B\r\nContent-Disposition: form-data; name=\"x\"; name*=utf-8'en'language\r\n\r\nen\r\n--B--\r\n",
    );
    expect(textOf(readFormFields('multipart/form-data; boundary=B', body))).toEqual({ fields: { model: 'gpt-4o-transcribe', language: 'en' }, textBytes: 19, conflicting: [] });
  });
});

describe('readFormFields: an empty filename', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  // Go's multipart.ReadForm stores a part whose filename is empty as a value, not a file
  // (`if filename == ""`, FileName() being "" for filename=""), so a provider reading forms
  // that way runs model gpt-4o-transcribe from it; skipped as a file, the call had no model.
  it('reads a part with filename="" as a text field', () => {
    const body = bytes('--B\r\nContent-Disposition: form-data; name="model"; filename=""\r\n\r\ngpt-4o-transcribe\r\n--B--\r\n');
    expect(textOf(readFormFields('multipart/form-data; boundary=B', body))).toEqual({ fields: { model: 'gpt-4o-transcribe' }, textBytes: 17, conflicting: [] });
  });
});
