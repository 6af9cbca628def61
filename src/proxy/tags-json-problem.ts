/**
 * What to tell the client whose `X-Metering-Tags` value JSON.parse refused, in tokometer's
 * words (the runtimes' own messages differ: V8 `Unexpected token ''', "{'a':1}" is not valid
 * JSON`, Bun `JSON Parse error: Unable to parse JSON string`). Runs only on that error path:
 * a valid header never reaches it. Never quotes the header's text (tags-dropped.ts logs the
 * sentence, and tag values may be personal data).
 */

const H = 'X-Metering-Tags';
const EXAMPLE = 'e.g. {"feature":"summarizer","user_id":"u_42"}';

/**
 * The sentence for a header that is not JSON: a header sent more than once (HTTP runtimes
 * join repeated header lines with ", ", so two objects arrive as `{…}, {…}`), else what looks
 * wrong (see jsonHint), and what to send.
 */
export function tagsJsonProblem(header: string): string {
  const times = timesSent(header);
  if (times > 1) return `${H} was sent ${times} times (repeated header lines arrive joined by ", "): send it once, with one JSON object holding every tag, ${EXAMPLE}`;
  const hint = jsonHint(header);
  return `${H} is not valid JSON${hint === null ? '' : `: ${hint}`}; send one JSON object, ${EXAMPLE}`;
}

/** How many JSON objects `header` is, joined by commas (`{…}, {…}` parses as an array's items); 0 when it is not such a list. */
function timesSent(header: string): number {
  let items: unknown;
  try {
    items = JSON.parse(`[${header}]`);
  } catch {
    return 0;
  }
  if (!Array.isArray(items) || items.length < 2) return 0;
  return items.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item)) ? items.length : 0;
}

/**
 * The likeliest mistake in text that is not JSON, from one pass outside its double-quoted
 * strings: a single quote (JavaScript or Python habits), a key not in double quotes (after `{`
 * or `,`), or an object or string still open at the end (a cut or unescaped value); null when
 * none of these shows.
 */
function jsonHint(text: string): string | null {
  let depth = 0;
  let inString = false;
  let unquotedKey = false;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === "'") return 'strings take double quotes, not single ones';
    if (c === ' ' || c === '\t') continue;
    if (expectKey && c !== '"' && c !== '}') unquotedKey = true;
    expectKey = false;
    if (c === '"') inString = true;
    else if (c === '{') {
      depth++;
      expectKey = true;
    } else if (c === '}') depth--;
    else if (c === ',' && depth > 0) expectKey = true;
  }
  if (unquotedKey) return 'keys must be strings in double quotes';
  return inString || depth > 0 ? 'it ends before the object closes' : null;
}
