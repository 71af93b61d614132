/**
 * "Did you mean" for mistyped commands and flags: the closest known word by edit distance,
 * when it is close enough to be a likely typo.
 *
 * @module
 */

/** Levenshtein distance between `a` and `b` (insert, delete, substitute: cost 1 each). */
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

/**
 * The known word closest to `word`, or undefined when none is within a third of its length
 * (at least 1, at most 3 edits), or when `word` is a prefix of exactly one known word.
 *
 * @example
 * ```ts
 * import { closestWord } from "./suggest.ts";
 * console.log(closestWord("nod", ["node", "cli", "mine"])); // node
 * console.log(closestWord("xyz", ["node", "cli", "mine"])); // undefined
 * ```
 */
export function closestWord(word: string, known: readonly string[]): string | undefined {
  const prefixed = known.filter((k) => word.length >= 2 && k.startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}
