/**
 * `?` placeholders (the Db seam's) to PostgreSQL's numbered `$1, $2, …`, in order.
 * A `?` inside a quoted literal ('…', E'…' with backslash escapes), a quoted identifier
 * ("…"), a dollar-quoted body ($tag$…$tag$) or a comment (-- … and nested /* … *\/) is
 * left alone. PostgreSQL's jsonb operators `?`, `?|`, `?&` therefore cannot be written in
 * SQL text for the seam; use jsonb_exists / jsonb_exists_any / jsonb_exists_all.
 */
export function numberPlaceholders(sql: string): { text: string; count: number } {
  let out = '';
  let count = 0;
  let i = 0;
  let from = 0;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i]!;
    if (ch === '?') {
      out += sql.slice(from, i) + '$' + String(++count);
      i += 1;
      from = i;
    } else if (ch === "'") {
      const escapes = i > 0 && (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !isWordChar(sql[i - 2]);
      i = endOfQuoted(sql, i + 1, "'", escapes);
    } else if (ch === '"') {
      i = endOfQuoted(sql, i + 1, '"', false);
    } else if (ch === '-' && sql[i + 1] === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? n : eol + 1;
    } else if (ch === '/' && sql[i + 1] === '*') {
      i = endOfBlockComment(sql, i + 2);
    } else if (ch === '$' && !isWordChar(sql[i - 1])) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag === null) {
        i += 1;
      } else {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
      }
    } else {
      i += 1;
    }
  }
  return { text: count === 0 ? sql : out + sql.slice(from), count };
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

/** Index just past the closing quote; a doubled quote is an escaped one. */
function endOfQuoted(sql: string, i: number, quote: string, backslashEscapes: boolean): number {
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashEscapes && c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

/** Index just past the `*\/` that closes a block comment opened before `i` (they nest). */
function endOfBlockComment(sql: string, i: number): number {
  let depth = 1;
  while (i < sql.length && depth > 0) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
    } else {
      i += 1;
    }
  }
  return i;
}
