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

/**
 * The candidate within edit distance 2 of `key` (lower-cased; the nearest one, the first
 * listed on a tie), if any: the "did you mean" of the config's unknown keys and providers,
 * and of the report's tag keys that look like a built-in dimension.
 */
export function closest(key: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(key.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
