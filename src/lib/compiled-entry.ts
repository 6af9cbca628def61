/**
 * Whether `entry` (process.argv[1]) is the entry of a Bun compiled binary, which runs it
 * from an embedded file system: `/$bunfs/root/…`, or `B:/~BUN/root/…` on Windows. Then
 * process.argv[1] is not an argument the user gave, and the user's own arguments start at
 * process.argv[2] as they do for `node script.js`.
 */
export function isCompiledEntry(entry: string): boolean {
  return entry.startsWith('/$bunfs/') || /^[A-Za-z]:[\\/]~BUN[\\/]/.test(entry);
}
