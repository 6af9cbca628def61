/**
 * The SQL text `base` (a released migration's) with each edit [from, to] applied in turn:
 * how a later migration states "vN's function, changed so" without copying vN's text. Each
 * `from` must occur exactly once in the text it edits, so an edit cannot silently miss or
 * hit twice. FROZEN: released migrations are built with it; never change what it returns
 * (their fingerprints are checked in test/store/migrations-history.test.ts).
 *
 * @throws Error naming the edit whose `from` is missing or not unique.
 */
export function editedSql(base: string, edits: readonly (readonly [from: string, to: string])[]): string {
  return edits.reduce((text, [from, to]) => {
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`editedSql: ${JSON.stringify(from)} is ${at < 0 ? 'missing' : 'not unique'}`);
    return text.slice(0, at) + to + text.slice(at + from.length);
  }, base);
}
