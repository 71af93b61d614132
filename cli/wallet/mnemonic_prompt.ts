/**
 * Asking for the 24 words so that a typo costs one word, not all 24: each word is checked
 * against the BIP39 English list as it is typed ("word 3 of 24:") with a suggestion for a typo
 * and another try; a checksum mismatch at the end lets the user re-enter one word, start over
 * or quit. All 24 words on the first line (a script piping them) are taken at once.
 *
 * @module
 */
import type { LineInput } from "../line_input.ts";
import { checkMnemonic, MNEMONIC_WORDS } from "../../core/wallet/mnemonic.ts";
import { WalletError } from "../../core/wallet/wallet_errors.ts";
import { isMnemonicWord, suggestWord } from "../../core/wallet/word_suggest.ts";

const norm = (s: string) => s.normalize("NFKD").toLowerCase().trim();

/** The checked mnemonic read from `input`; `tell` prints hints (stderr). */
export async function askMnemonic(
  input: LineInput,
  tell: (line: string) => Promise<void>,
): Promise<string> {
  const quit = () => new WalletError("bad-mnemonic", "Recovery cancelled: no mnemonic entered");
  const first = await input.ask(
    `word 1 of ${MNEMONIC_WORDS} (or all ${MNEMONIC_WORDS} words on one line): `,
    { hidden: true },
  );
  if (first === null) throw quit();
  const typed = norm(first).split(/\s+/).filter((w) => w);
  if (typed.length > 1) return checkMnemonic(typed.join(" ")); // a whole phrase: all or nothing
  const words: string[] = [];
  let carried: string | null = typed[0] ?? "";
  for (let i = 0; i < MNEMONIC_WORDS; i++) {
    words[i] = await askWord(input, tell, i, carried);
    carried = null;
  }
  for (;;) {
    try {
      return checkMnemonic(words.join(" "));
    } catch (e) {
      if (!(e instanceof WalletError)) throw e;
      await tell(`${e.message}`);
      const answer = await input.ask(
        `Number of the word to re-enter (1-${MNEMONIC_WORDS}), 'all' to start over, or 'q' to quit: `,
      );
      const a = answer === null ? "q" : norm(answer);
      if (a === "q" || a === "quit") throw e;
      if (a === "all") {
        for (let i = 0; i < MNEMONIC_WORDS; i++) words[i] = await askWord(input, tell, i, null);
      } else if (/^\d{1,2}$/.test(a) && Number(a) >= 1 && Number(a) <= MNEMONIC_WORDS) {
        words[Number(a) - 1] = await askWord(input, tell, Number(a) - 1, null);
      } else await tell(`'${a}' is not a word number`);
    }
  }
}

/** Word `i` (0-based), asked until it is in the list; `given` is an answer already read. */
async function askWord(
  input: LineInput,
  tell: (line: string) => Promise<void>,
  i: number,
  given: string | null,
): Promise<string> {
  let answer = given;
  for (;;) {
    if (answer === null) {
      answer = await input.ask(`word ${i + 1} of ${MNEMONIC_WORDS}: `, { hidden: true });
      if (answer === null) {
        throw new WalletError("bad-mnemonic", `Input ended before word ${i + 1}`);
      }
    }
    const w = norm(answer);
    if (isMnemonicWord(w)) return w;
    if (w !== "") {
      const hint = suggestWord(w);
      await tell(
        `Word ${i + 1} '${w}' is not in the BIP39 English word list` +
          (hint === undefined ? "; type it again" : `; did you mean '${hint}'?`),
      );
    }
    answer = null;
  }
}
