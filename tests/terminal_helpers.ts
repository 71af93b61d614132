/**
 * Running `rnt` on a real pseudo-terminal (util-linux `script`), so that code that asks only on
 * a terminal (hidden passphrases, confirmations) runs as a person would meet it: each answer is
 * typed once its prompt has appeared on the screen.
 *
 * @module
 */
import { REPO_ROOT } from "./helpers.ts";

/** What the terminal showed and how `rnt` exited. */
export interface TerminalResult {
  /** Exit status of `rnt` (as `script -e` reports it). */
  readonly code: number;
  /** Everything the terminal showed (stdout and stderr together, `\r` removed). */
  readonly screen: string;
}

/** Whether util-linux `script` is installed (the tests that need it are skipped without it). */
export function hasScript(): boolean {
  try {
    return Deno.statSync("/usr/bin/script").isFile;
  } catch {
    return false;
  }
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `rnt ARGS…` on a pseudo-terminal; for each `[prompt, answer]` in order, waits (up to
 * `timeoutMs` in all) until `prompt` appears after the previous answer, then types `answer` and
 * Enter.
 */
export async function runOnTerminal(
  args: string[],
  dialog: readonly (readonly [RegExp, string])[],
  timeoutMs = 60_000,
): Promise<TerminalResult> {
  const cmd = [Deno.execPath(), "run", "-A", `${REPO_ROOT}/main.ts`, ...args].map(quote).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qec", cmd, "/dev/null"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let screen = "", from = 0;
  const deadline = Date.now() + timeoutMs;
  const more = async () => {
    let id: ReturnType<typeof setTimeout> | undefined;
    const timer = new Promise<null>((r) => id = setTimeout(() => r(null), deadline - Date.now()));
    const got = await Promise.race([reader.read(), timer]).finally(() => clearTimeout(id));
    if (got === null || got.done) return false;
    screen += decoder.decode(got.value, { stream: true }).replaceAll("\r", "");
    return true;
  };
  try {
    for (const [prompt, answer] of dialog) {
      for (;;) {
        const m = prompt.exec(screen.slice(from));
        if (m) {
          from += m.index + m[0].length;
          break;
        }
        if (!(await more())) throw new Error(`no ${prompt} on the terminal:\n${screen}`);
      }
      await writer.write(new TextEncoder().encode(answer + "\r"));
    }
    while (await more());
  } finally {
    await writer.close().catch(() => {});
    reader.releaseLock();
  }
  const status = await child.status;
  await child.stdout.cancel().catch(() => {});
  await child.stderr.cancel().catch(() => {});
  return { code: status.code, screen };
}
