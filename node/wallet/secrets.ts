/**
 * Secrets from files, for scripts and services: `--password-file`, `--mnemonic-file`,
 * `--wallet-password-file` name a file whose first line is the secret. Asking on a terminal is
 * the command line's business (`cli/secrets.ts`).
 *
 * @module
 */

/** Reads the first line of `path` (the whole file when it has one line), without the newline. */
export async function readSecretFile(path: string): Promise<string> {
  const text = await Deno.readTextFile(path);
  return text.split(/\r?\n/)[0] ?? "";
}
