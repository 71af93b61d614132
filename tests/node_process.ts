/**
 * A real `rnt node` process for cross-part tests: started with `deno run` on main.ts with a temp
 * datadir and a free loopback RPC port, driven over JSON-RPC with the cookie, stopped by SIGTERM
 * or RPC `stop`. Its stderr (the node log) is collected for assertions and failure messages.
 *
 * @module
 */
import { RpcClient } from "../rpc/client.ts";
import { freePort, REPO_ROOT, RNT_PERMISSIONS } from "./helpers.ts";

/** A running `rnt node`. */
export class NodeProcess {
  readonly datadir: string;
  readonly rpcPort: number;
  readonly #child: Deno.ChildProcess;
  readonly #stderrDone: Promise<void>;
  #log = "";
  #client: RpcClient | undefined;
  #status: Deno.CommandStatus | undefined;

  private constructor(datadir: string, rpcPort: number, child: Deno.ChildProcess) {
    this.datadir = datadir;
    this.rpcPort = rpcPort;
    this.#child = child;
    this.#stderrDone = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) this.#log += decoder.decode(chunk, { stream: true });
    })();
    child.stdout.cancel().catch(() => {});
  }

  /** Spawns `rnt node --regtest --datadir D --rpcport P` (no wait), `env` added to ours. */
  static spawn(
    datadir: string,
    rpcPort = freePort(),
    extraArgs: string[] = [],
    env: Record<string, string> = {},
  ): NodeProcess {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...RNT_PERMISSIONS,
        `${REPO_ROOT}/main.ts`,
        "node",
        "--regtest",
        "--datadir",
        datadir,
        "--rpcport",
        String(rpcPort),
        "--port",
        String(freePort()),
        ...extraArgs,
      ],
      cwd: REPO_ROOT,
      env: { NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new NodeProcess(datadir, rpcPort, child);
  }

  /** Spawns a node and waits until it answers RPC (throws with its log if it exits first). */
  static async start(
    datadir: string,
    rpcPort = freePort(),
    extraArgs: string[] = [],
    env: Record<string, string> = {},
  ): Promise<NodeProcess> {
    const node = NodeProcess.spawn(datadir, rpcPort, extraArgs, env);
    await node.ready();
    return node;
  }

  /** The process id (for RSS samples from /proc). */
  get pid(): number {
    return this.#child.pid;
  }

  /** The node log so far (its stderr). */
  get log(): string {
    return this.#log;
  }

  /** Waits until `getblockcount` answers (up to `timeoutMs`). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    const statusPromise = this.#child.status.then((s) => {
      exited = true;
      this.#status = s;
      return s;
    });
    while (Date.now() < deadline) {
      if (exited) {
        await this.#stderrDone;
        throw new Error(`rnt node exited with ${this.#status?.code}:\n${this.#log}`);
      }
      try {
        this.#client = await RpcClient.fromDatadir({ datadir: this.datadir, port: this.rpcPort });
        await this.#client.call("getblockcount");
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    void statusPromise;
    throw new Error(`rnt node not ready after ${timeoutMs} ms:\n${this.#log}`);
  }

  /** Calls an RPC method with the cookie. */
  async rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    this.#client ??= await RpcClient.fromDatadir({ datadir: this.datadir, port: this.rpcPort });
    return await this.#client.call(method, params) as T;
  }

  /** POSTs `body` to the RPC endpoint with `authorization` (default: the cookie). */
  async post(body: string, authorization?: string | null): Promise<Response> {
    const cookie = (await Deno.readTextFile(`${this.datadir}/.cookie`)).trim();
    const headers: Record<string, string> = { "content-type": "application/json" };
    const auth = authorization === undefined ? "Basic " + btoa(cookie) : authorization;
    if (auth !== null) headers.authorization = auth;
    return await fetch(`http://127.0.0.1:${this.rpcPort}/`, { method: "POST", headers, body });
  }

  /** Waits for the process to exit; returns its status (stderr fully read). */
  async exited(): Promise<Deno.CommandStatus> {
    const status = await this.#child.status;
    await this.#stderrDone;
    this.#status = status;
    return status;
  }

  /** Sends a signal (SIGTERM by default) and waits for exit. */
  async stop(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill(signal);
    } catch {
      // already exited
    }
    return await this.exited();
  }

  /** Kills the process if it still runs (for `finally` blocks). */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#status === undefined) {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // already exited
      }
      await this.exited();
    }
  }
}
