/**
 * Lines typed by the user, from a terminal or a pipe. Questions go to stderr so stdout stays
 * the command's result; on a terminal a secret line is read with echo off, from a pipe every
 * line is read as it comes (scripts and tests feed answers that way).
 *
 * @module
 */
import { promptHidden } from "./secrets.ts";

/** Where a command's answers come from. */
export interface LineInput {
  /** True on a terminal: a person can answer a retry. */
  readonly interactive: boolean;
  /** Asks `question`; the answer without its newline, or null at end of input. */
  ask(question: string, opts?: { hidden?: boolean }): Promise<string | null>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const pending: number[] = [];
let ended = false;

/** One line of stdin (buffered across calls); null at end of input with nothing pending. */
async function readStdinLine(): Promise<string | null> {
  const buf = new Uint8Array(4096);
  for (;;) {
    const nl = pending.indexOf(10);
    if (nl >= 0) {
      const line = pending.splice(0, nl + 1).slice(0, nl);
      return decoder.decode(new Uint8Array(line)).replace(/\r$/, "");
    }
    if (ended) {
      if (pending.length === 0) return null;
      return decoder.decode(new Uint8Array(pending.splice(0)));
    }
    const n = await Deno.stdin.read(buf);
    if (n === null) ended = true;
    else for (let i = 0; i < n; i++) pending.push(buf[i]!);
  }
}

/** Writes `text` to stderr (questions and hints). */
export async function tell(text: string): Promise<void> {
  await Deno.stderr.write(encoder.encode(text));
}

/** Stdin as a {@linkcode LineInput}. */
export const STDIN: LineInput = {
  get interactive() {
    return Deno.stdin.isTerminal();
  },
  async ask(question, opts = {}) {
    if (opts.hidden && Deno.stdin.isTerminal()) return await promptHidden(question);
    await tell(question);
    const line = await readStdinLine();
    if (!Deno.stdin.isTerminal()) await tell("\n");
    return line;
  },
};
