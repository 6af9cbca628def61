/**
 * The text fields of a `multipart/form-data` request body (RFC 7578), read in place: a file
 * upload (OpenAI's audio transcriptions and translations) names its `model` and `stream` as
 * form fields beside the file, where a JSON request has them in its body. File parts (those
 * with a `filename`) are stepped over, never decoded or copied: the boundary after a 25 MB
 * audio file is found by one native search (a few ms). Pure; no I/O.
 */

/** What a form's text fields say, and how much of the body they are. */
export interface FormFields {
  /** Each text field by name, its value as sent (UTF-8); the first of a repeated name. */
  fields: Record<string, string>;
  /**
   * Bytes of the text fields' values (the model, a prompt, the language…): the part of an
   * upload that is text, where the rest is the file.
   */
  textBytes: number;
  /**
   * Names of text fields sent more than once with different values (an array field, named
   * `…[]`, repeats by design and is never listed). Which value a provider takes depends on
   * its form parser (the first or the last), so a form listing `model` here is ambiguous.
   */
  conflicting: string[];
  /** For each name in `conflicting`, the first value sent that differs from the one in `fields`; absent when none conflict. */
  otherValues?: Record<string, string>;
  /** The content of each file part, in order: views of the body, never copies. */
  files: Uint8Array[];
}

/** Longest text field decoded (bytes); a longer one is counted in `textBytes` but not read. */
const MAX_FIELD_BYTES = 64 * 1024;
/** Longest header block of one part (bytes); a form with a longer one is read up to that part. */
const MAX_HEADER_BYTES = 8 * 1024;
/** Longest transport padding after a boundary, up to its CRLF (bytes). */
const MAX_PADDING_BYTES = 1024;

const DASH = 0x2d;
const encoder = new TextEncoder();
const UTF8 = new TextDecoder();
/** Header bytes are ASCII (a non-ASCII filename only has to stay recognisable as one). */
const LATIN1 = new TextDecoder('latin1');
const CRLF = encoder.encode('\r\n');
const CRLF_CRLF = encoder.encode('\r\n\r\n');
const LF = encoder.encode('\n');
const LF_LF = encoder.encode('\n\n');
const CR = 0x0d;

/**
 * The text fields of `body` when `contentType` is `multipart/form-data` with a boundary,
 * else null. A form that breaks off or is malformed yields the fields read before the break
 * (a provider rejects such a request anyway). Lines end in CRLF (RFC 7578), or in LF alone
 * when the first boundary line does: Go's mime/multipart reader accepts such forms ("a
 * violation of the spec, but occurs in practice"), so a provider may run one.
 */
export function readFormFields(contentType: string | undefined, body: Uint8Array): FormFields | null {
  const boundary = formBoundary(contentType);
  if (boundary === null) return null;
  const dashBoundary = encoder.encode(`--${boundary}`);
  // A view, not a copy: Buffer's indexOf searches for a byte string natively (Node and Bun).
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.length);
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let textBytes = 0;
  const conflicting: string[] = [];
  let otherValues: Record<string, string> | undefined;
  const files: Uint8Array[] = [];
  // `pos` is at a `--boundary`: the body's first bytes, or past the preamble's line end.
  let pos = 0;
  if (!startsWith(body, dashBoundary, 0)) {
    const first = bytes.indexOf(encoder.encode(`\n--${boundary}`), 0);
    if (first < 0) return { fields, textBytes, conflicting, files };
    pos = first + 1;
  }
  // The line end of the first boundary line is the form's: CRLF, or LF alone.
  const firstLf = bytes.indexOf(LF, pos + dashBoundary.length);
  const crlf = firstLf < 1 || body[firstLf - 1] === CR;
  const nl = crlf ? CRLF : LF;
  const blankLine = crlf ? CRLF_CRLF : LF_LF;
  const delimiter = encoder.encode(`${crlf ? '\r\n' : '\n'}--${boundary}`);
  for (;;) {
    pos += dashBoundary.length;
    if (body[pos] === DASH && body[pos + 1] === DASH) break;
    const lineEnd = bytes.indexOf(nl, pos);
    if (lineEnd < 0 || lineEnd - pos > MAX_PADDING_BYTES) break;
    // The headers run from the boundary line's end to the blank line (none: straight to it).
    const headersEnd = bytes.indexOf(blankLine, lineEnd);
    if (headersEnd < 0 || headersEnd - lineEnd > MAX_HEADER_BYTES) break;
    const contentStart = headersEnd + blankLine.length;
    const next = bytes.indexOf(delimiter, contentStart);
    if (next < 0) break;
    const part = partHeaders(LATIN1.decode(body.subarray(lineEnd + nl.length, headersEnd)));
    if (part.name !== null && !part.file) {
      const length = next - contentStart;
      textBytes += length;
      if (length <= MAX_FIELD_BYTES) {
        const value = UTF8.decode(body.subarray(contentStart, next));
        if (!(part.name in fields)) fields[part.name] = value;
        else if (fields[part.name] !== value && !part.name.endsWith('[]') && !conflicting.includes(part.name)) {
          conflicting.push(part.name);
          otherValues ??= Object.create(null) as Record<string, string>;
          otherValues[part.name] = value;
        }
      }
    } else if (part.file) files.push(body.subarray(contentStart, next));
    pos = next + nl.length;
  }
  return otherValues === undefined ? { fields, textBytes, conflicting, files } : { fields, textBytes, conflicting, otherValues, files };
}

/** The boundary of a `multipart/form-data` content type (quoted or not), else null. */
function formBoundary(contentType: string | undefined): string | null {
  if (contentType === undefined) return null;
  const semicolon = contentType.indexOf(';');
  if (semicolon < 0 || contentType.slice(0, semicolon).trim().toLowerCase() !== 'multipart/form-data') return null;
  // No 70-character cap (RFC 2046's): Go's reader, which a provider may run, takes any length.
  const m = /(?:^|;)\s*boundary\s*=\s*(?:"([^"]+)"|([^;\s"]+))/i.exec(contentType.slice(semicolon));
  return m === null ? null : (m[1] ?? m[2] ?? null);
}

/**
 * A `filename` (or `filename*`) parameter with a value: a file part. An empty `filename=""`
 * is not one: Go's multipart.ReadForm stores such a part as a value, so a provider may read
 * a field from it (a real file part so named is only counted as text: a larger hold).
 */
const NAMED_FILE = /;\s*filename\*?\s*=\s*(?:"[^"]+"|[^;\s"]+)/i;

/** A part's field name (its Content-Disposition `name`) and whether it is a file (it has a non-empty `filename`). */
function partHeaders(headers: string): { name: string | null; file: boolean } {
  // A line starting with a space or tab continues the one before (obsolete folding, which Go's header reader joins).
  for (const line of headers.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'content-disposition') continue;
    const params = line.slice(colon + 1);
    const name = /;\s*name\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(params);
    const plain = name === null ? null : (name[1] ?? name[2] ?? null);
    return { name: extendedName(params) ?? plain, file: NAMED_FILE.test(params) };
  }
  return { name: null, file: false };
}

/**
 * The RFC 2231 extended `name*` of Content-Disposition parameters (`UTF-8''mod%65l`), decoded,
 * else null. Go's mime.ParseMediaType (multipart Part.FormName) reads it, for the charsets
 * utf-8 and us-ascii, and lets it win over a plain `name`.
 */
function extendedName(params: string): string | null {
  const m = /;\s*name\*\s*=\s*([^;\s]+)/i.exec(params);
  const parts = m?.[1]?.split("'");
  if (parts?.length !== 3 || !/^(utf-8|us-ascii)$/i.test(parts[0]!)) return null;
  try {
    return decodeURIComponent(parts[2]!);
  } catch {
    return null;
  }
}

/** True when `needle` lies in `haystack` at `at`. */
function startsWith(haystack: Uint8Array, needle: Uint8Array, at: number): boolean {
  if (at + needle.length > haystack.length) return false;
  for (let k = 0; k < needle.length; k++) if (haystack[at + k] !== needle[k]) return false;
  return true;
}
