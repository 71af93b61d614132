/**
 * Help for typing a BIP39 mnemonic word by word: whether a word is in the English list, and
 * the list word a typo most likely meant (every BIP39 word is fixed by its first four letters,
 * so a unique prefix wins; else the smallest edit distance, ties to the first in list order).
 *
 * @module
 */
import { wordlist } from "@scure/bip39/wordlists/english.js";

/** Whether `word` (lower case, trimmed) is in the BIP39 English list. */
export function isMnemonicWord(word: string): boolean {
  return wordIndex().has(word);
}

/**
 * The list word closest to `typed`: the only word starting with it (or with its first four
 * letters), else the nearest by Levenshtein distance when at most 2 edits away; undefined
 * when nothing is close.
 *
 * @example
 * ```ts
 * import { suggestWord } from "./word_suggest.ts";
 * console.log(suggestWord("abandn")); // "abandon"
 * console.log(suggestWord("zoox")); // "zoo"
 * ```
 */
export function suggestWord(typed: string): string | undefined {
  const t = typed.normalize("NFKD").toLowerCase().trim();
  if (t === "") return undefined;
  for (const prefix of [t, t.slice(0, 4)]) {
    if (prefix.length < 3) continue;
    const starts = wordlist.filter((w) => w.startsWith(prefix));
    if (starts.length === 1) return starts[0];
  }
  let best: string | undefined, bestDistance = 3;
  for (const w of wordlist) {
    const d = editDistance(t, w, bestDistance);
    if (d < bestDistance) [best, bestDistance] = [w, d];
  }
  return best;
}

/** Levenshtein distance of `a` and `b`, or `cap` when it is at least `cap`. */
export function editDistance(a: string, b: string, cap = Infinity): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      row.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin >= cap) return cap;
    prev = row;
  }
  return Math.min(prev[b.length]!, cap);
}

let index: Set<string> | undefined;
function wordIndex(): Set<string> {
  return index ??= new Set(wordlist);
}
