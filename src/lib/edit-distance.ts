/** Levenshtein distance between two strings (insertions, deletions and substitutions of UTF-16 units). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** `candidates` ordered by edit distance to `word` (closest first; ties alphabetically). */
export function byCloseness(word: string, candidates: readonly string[]): string[] {
  const distance = new Map(candidates.map((c) => [c, editDistance(word, c)]));
  return [...candidates].sort((a, b) => distance.get(a)! - distance.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
}
