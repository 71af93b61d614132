/**
 * Helpers for multi-node P2P tests: `rnt node --regtest` processes with a known P2P port on
 * loopback, polling until a condition holds, and chain/mempool views over RPC.
 *
 * @module
 */
import { freePort } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

/** A node process with its P2P port. */
export interface P2pNode {
  /** The process (RPC, log, stop). */
  readonly proc: NodeProcess;
  /** Its P2P listen port. */
  readonly port: number;
}

/** Starts `rnt node --regtest` on a free P2P port with `args` (e.g. `--connect`). */
export async function startP2pNode(datadir: string, args: string[] = []): Promise<P2pNode> {
  const port = freePort();
  const proc = NodeProcess.spawn(datadir, freePort(), ["--port", String(port), ...args]);
  await proc.ready();
  return { proc, port };
}

/** `--connect 127.0.0.1:<port>` for each node. */
export function connectArgs(...nodes: P2pNode[]): string[] {
  return nodes.flatMap((n) => ["--connect", `127.0.0.1:${n.port}`]);
}

/** Polls `check` every 250 ms until it returns true; throws `describe()` after `timeoutMs`. */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => Promise<string> | string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`);
}

/** The best block hash and height of a node. */
export async function tipOf(n: P2pNode): Promise<{ hash: string; height: number }> {
  const [hash, height] = await Promise.all([
    n.proc.rpc<string>("getbestblockhash"),
    n.proc.rpc<number>("getblockcount"),
  ]);
  return { hash, height };
}

/** Waits until every node has `hash` as its best block. */
export async function waitForTip(
  nodes: readonly P2pNode[],
  hash: string,
  timeoutMs: number,
): Promise<void> {
  await waitUntil(
    async () => (await Promise.all(nodes.map(tipOf))).every((t) => t.hash === hash),
    timeoutMs,
    async () =>
      `tips ${JSON.stringify(await Promise.all(nodes.map(tipOf)))}, want ${hash}\n` +
      nodes.map((n, i) => `--- node ${i} log tail:\n${n.proc.log.slice(-2500)}`).join("\n"),
  );
}

/** Kills every node still running (for `finally`). */
export async function stopAll(nodes: readonly (P2pNode | undefined)[]): Promise<void> {
  await Promise.all(nodes.map((n) => n?.proc[Symbol.asyncDispose]()));
}
