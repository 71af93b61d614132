/**
 * Helpers of the real-process Lightning tests: a regtest node with a wallet loaded, `rnt ln …
 * --json` against it, and waits on a channel's status.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { FixtureChain } from "./fixture_blocks.ts";
import { freePort, runRnt } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";

/** Millionths of a resonance in one RNT (amounts in `ln_*` answers are mres). */
export const MRES_PER_RNT = 100_000_000_000n;

/**
 * The fee a forwarding rnt node takes for forwarding `amountMres` (its fixed policy,
 * node/lightning/htlc_forwarder.ts: 1000 mres + 1000 ppm), written out here as the tests' oracle.
 */
export function forwardFeeMres(amountMres: bigint): bigint {
  return 1000n + amountMres * 1000n / 1_000_000n;
}

/** A JSON object as the RPC returns it. */
export type Json = Record<string, unknown>;
const PASS = "correct horse battery staple";

/** A node with a wallet loaded (`--wallet`), on a known P2P port, `env` added to ours. */
export async function walletNode(
  dir: string,
  p2pPort = freePort(),
  env: Record<string, string> = {},
): Promise<NodeProcess> {
  await Deno.writeTextFile(`${dir}/wallet.pass`, PASS + "\n");
  try {
    await Deno.stat(`${dir}/wallet.dat`);
  } catch {
    const created = await runRnt([
      "wallet",
      "create",
      "--regtest",
      "--datadir",
      dir,
      "--password-file",
      `${dir}/wallet.pass`,
      "--insecure-fast-kdf",
    ]);
    assert.equal(created.code, 0, created.stderr);
  }
  return await NodeProcess.start(dir, undefined, [
    "--port",
    String(p2pPort),
    "--wallet",
    "--wallet-password-file",
    `${dir}/wallet.pass`,
  ], env);
}

/** `rnt ln ARGS` against `node` (exit code and output, unparsed). */
export async function lnRun(node: NodeProcess, args: string[]) {
  return await runRnt([
    "ln",
    ...args,
    "--regtest",
    "--datadir",
    node.datadir,
    "--rpcport",
    String(node.rpcPort),
  ]);
}

/** `rnt ln ARGS --json` against `node`; asserts exit 0 and parses stdout. */
export async function ln<T = Json>(node: NodeProcess, args: string[]): Promise<T> {
  const r = await lnRun(node, [...args, "--json"]);
  if (r.code !== 0) throw new Error(`rnt ln ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The channel `id` as `ln_channels` lists it on `node`. */
export async function channel(node: NodeProcess, id: string): Promise<Json | undefined> {
  return (await node.rpc<Json[]>("ln_channels")).find((c) => c.channel_id === id);
}

/** Waits until every node sees channel `id` in `status` (and connected when `normal`). */
export async function waitStatus(nodes: NodeProcess[], id: string, status: string, ms = 60_000) {
  await waitUntil(
    async () =>
      (await Promise.all(nodes.map((n) => channel(n, id)))).every((c) =>
        c?.status === status && (status !== "normal" || c.connected === true)
      ),
    ms,
    async () =>
      `want ${status}: ${JSON.stringify(await Promise.all(nodes.map((n) => channel(n, id))))}\n` +
      nodes.map((n, i) => `--- node ${i} log tail:\n${n.log.slice(-3000)}`).join("\n"),
  );
}

/**
 * Blocks for the Lightning tests without training: the fixture's trained checkpoints under
 * headers of our own (tests/fixture_blocks.ts), each carrying the node's mempool (funding, close
 * and sweep transactions confirm as in a mined block; the node still checks and evaluates every
 * block) and paying the node's wallet. Each block is stamped 30 s after the previous one, so
 * median time past moves on by about that much per block and a `to_self_delay` of seconds passes
 * within a block or two. Set `node` to the new process after a restart.
 */
export class LnBlocks {
  readonly #chain: FixtureChain;
  #time = Math.floor(Date.now() / 1000) - 600;

  private constructor(chain: FixtureChain) {
    this.#chain = chain;
  }

  /** Starts on `node`, which must be at genesis. */
  static async start(node: NodeProcess): Promise<LnBlocks> {
    return new LnBlocks(await FixtureChain.start(node, REGTEST));
  }

  /** The node the blocks go to. */
  get node(): NodeProcess {
    return this.#chain.node;
  }
  set node(node: NodeProcess) {
    this.#chain.node = node;
  }

  /**
   * Stamps the next block at `timeSecs` (later blocks 30 s apart again): a jump of hours moves
   * median time past past an HTLC's expiry in six blocks. The node's clock must allow it
   * (`setmocktime` to within 2 h of it).
   */
  jumpTo(timeSecs: number): void {
    this.#time = Math.max(this.#time, timeSecs - 30);
  }

  /** Height of the last block mined (0 before the first). */
  get height(): number {
    return this.#chain.height;
  }

  /**
   * Sends the next blocks to `node` (another node of the test, or a restarted process) once it
   * has every block mined so far, so its mempool no longer lists their transactions.
   */
  async switchTo(node: NodeProcess): Promise<void> {
    await waitUntil(
      async () => await node.rpc<number>("getblockcount") === this.height,
      60_000,
      async () => `the node is at ${await node.rpc("getblockcount")}, the blocks at ${this.height}`,
    );
    this.node = node;
  }

  /**
   * Stamps the next block `secs` later than it would be (median time past follows once six
   * blocks sit above it): the way to age outputs by hours without hours of blocks.
   */
  skip(secs: number): void {
    this.#time += secs;
  }

  /** Mines `n` blocks paying the node's wallet; returns their hashes. */
  async mine(n: number): Promise<string[]> {
    const hashes: string[] = [];
    for (let i = 0; i < n; i++) {
      this.#time = Math.max(this.#time + 30, Math.floor(Date.now() / 1000) - 600);
      const to = await this.node.rpc<string>("getnewaddress");
      hashes.push(await this.#chain.submit(to, this.#time, { mempool: true }));
    }
    return hashes;
  }
}
