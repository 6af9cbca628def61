/**
 * Measures the string values of one key in JSON text without parsing it: for the output
 * estimate of a Gemini stream cut before its final usage (gemini-usage.ts GenerateStream),
 * where most chunks are skipped unparsed. A few native `indexOf` scans over the text.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;

/**
 * Characters (UTF-16 code units) of every string value of `quotedKey` (`"text"`, quotes
 * included) in `json`, at any depth, as written: an escape counts its characters (`\"` 2,
 * `\u00e9` 6), so the count is the decoded length or more, never less. A key is a member's
 * name followed by `:` and a string; the same word as a value, or a key whose value is not a
 * string, counts nothing. Inside a JSON string every quote is escaped, so the quoted key
 * never matches there. Text cut short mid-value counts nothing of that value.
 */
export function stringValuesLength(json: string, quotedKey: string): number {
  let total = 0;
  let at = json.indexOf(quotedKey);
  while (at !== -1) {
    let i = at + quotedKey.length;
    let colon = false;
    for (let c = json.charCodeAt(i); c === SPACE || c === TAB || c === LF || c === CR || (c === COLON && !colon); c = json.charCodeAt(++i)) {
      if (c === COLON) colon = true;
    }
    if (colon && json.charCodeAt(i) === QUOTE) {
      const start = i + 1;
      let end = json.indexOf('"', start);
      while (end !== -1 && escaped(json, end)) end = json.indexOf('"', end + 1);
      if (end === -1) return total;
      total += end - start;
      i = end + 1;
    }
    at = json.indexOf(quotedKey, i);
  }
  return total;
}

/** True when the quote at `quoteAt` follows an odd run of backslashes (it is escaped). */
function escaped(json: string, quoteAt: number): boolean {
  let run = 0;
  while (json.charCodeAt(quoteAt - 1 - run) === BACKSLASH) run++;
  return run % 2 === 1;
}
