/** RESULTS.md sections written by the standalone phases (node bench/postgres.mjs, node bench/replicas.mjs). */

/** `text` with its section starting at the line `heading` (up to the next `## `) replaced by `section`, or `section` appended. */
export function withSection(text, heading, section) {
  const start = text.indexOf(`\n${heading}`);
  if (start === -1) return `${text.trimEnd()}\n\n${section}`;
  const next = text.indexOf('\n## ', start + 1);
  return `${text.slice(0, start).trimEnd()}\n\n${section}${next === -1 ? '' : `\n${text.slice(next + 1)}`}`;
}
