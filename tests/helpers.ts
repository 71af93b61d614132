/**
 * Shared helpers for cross-part tests: a temp data directory per test, free loopback ports,
 * and running the real `rnt` program as a subprocess.
 *
 * @module
 */

/** Absolute path of the repository root. */
export const REPO_ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Permission flags the `rnt` program runs with (the same as the `rnt` task). */
export const RNT_PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-ffi",
];

/** Creates a fresh temp directory; the returned disposable removes it. */
export async function tempDir(prefix = "rnt-test-"): Promise<AsyncDisposable & { path: string }> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}

/** Returns a loopback TCP port that was free a moment ago (bind to port 0, read it, close). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Result of running the `rnt` program. */
export interface RntResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `rnt ARGS…` (main.ts under `deno run`) to completion and captures its output; `input`
 * is written to its stdin (a pipe, not a terminal), else stdin is closed.
 */
export async function runRnt(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<RntResult> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", ...RNT_PERMISSIONS, `${REPO_ROOT}/main.ts`, ...args],
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdin: options.input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  if (options.input !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.input));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}
