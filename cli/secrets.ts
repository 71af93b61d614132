/**
 * Secrets on the command line: from a file named by a flag (`--password-file`,
 * `--mnemonic-file`, `--wallet-password-file`; the first line, trailing newline removed), else
 * typed on the terminal with echo off (raw stdin). Without a TTY and without the file flag the
 * command fails instead of waiting on a pipe.
 *
 * @module
 */
import { UsageError } from "../core/errors.ts";
import { readSecretFile } from "../node/wallet/secrets.ts";

/** Where secrets come from (the terminal by default; injectable for tests). */
export interface SecretSource {
  /** Asks for one line with echo off. */
  prompt(question: string): Promise<string>;
}

/** Reads one line from the terminal without echoing it (raw mode). */
export async function promptHidden(question: string): Promise<string> {
  if (!Deno.stdin.isTerminal()) {
    throw new UsageError(`${question.trim()}: no terminal to ask on (use the --*-file flag)`);
  }
  const enc = new TextEncoder();
  // Echo goes off before the question appears: whatever is typed once it shows is never echoed
  // (a fast typist or a paste could otherwise beat the mode switch).
  Deno.stdin.setRaw(true);
  const bytes: number[] = [];
  const buf = new Uint8Array(64);
  try {
    await Deno.stderr.write(enc.encode(question));
    outer: for (;;) {
      const n = await Deno.stdin.read(buf);
      if (n === null) break;
      for (let i = 0; i < n; i++) {
        const b = buf[i]!;
        if (b === 13 || b === 10) break outer;
        if (b === 3) throw new UsageError("interrupted");
        if (b === 127 || b === 8) bytes.pop();
        else bytes.push(b);
      }
    }
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(enc.encode("\n"));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** The terminal as a {@linkcode SecretSource}. */
export const TERMINAL: SecretSource = { prompt: promptHidden };

/** Tries at typing a new passphrase twice alike before giving up. */
export const PASSPHRASE_TRIES = 3;

/**
 * The wallet passphrase: from `file` if given, else asked once. With `confirm` (a new
 * passphrase) it is asked twice; a mismatch asks again, up to {@linkcode PASSPHRASE_TRIES}
 * times; an empty one is warned about and must be confirmed with "y".
 */
export async function getPassphrase(
  file: string | undefined,
  opts: { confirm?: boolean; source?: SecretSource; warn?: (line: string) => void } = {},
): Promise<string> {
  if (file !== undefined) return await readSecretFile(file);
  const source = opts.source ?? TERMINAL;
  if (!opts.confirm) return await source.prompt("Wallet passphrase: ");
  const warn = opts.warn ?? ((line: string) => console.error(line));
  for (let attempt = 1; attempt <= PASSPHRASE_TRIES; attempt++) {
    const first = await source.prompt("New wallet passphrase: ");
    if (first === "") {
      warn(
        "An empty passphrase leaves the wallet's keys readable by anyone who gets a copy of the file",
      );
      const ok = await source.prompt("Use no passphrase? [y/N] ");
      if (/^y(es)?$/i.test(ok.trim())) return "";
      continue;
    }
    const again = await source.prompt("Repeat the passphrase: ");
    if (again === first) return first;
    warn(
      `The two passphrases differ${attempt < PASSPHRASE_TRIES ? "; try again" : ""}`,
    );
  }
  throw new UsageError(`no matching passphrase after ${PASSPHRASE_TRIES} tries`);
}
