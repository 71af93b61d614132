/**
 * Helpers for the mining tests: a running `rnt` subprocess whose stdout and stderr are
 * collected and can be waited on (`rnt mine`, `rnt node --mine`), and a check that re-derives a
 * node's whole chain from genesis with the consensus functions: every block extends the right
 * model configuration, claims sample losses that meet μ_t, and its coinbase pays exactly the
 * emission reward (base × bonus) for its verified progress.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ChainEntry } from "../core/consensus/chain_entry.ts";
import { blockReward } from "../core/consensus/emission.ts";
import { genesisEntry } from "../core/consensus/genesis.ts";
import { headerProgressPpm, nextModelConfig } from "../core/consensus/growth.ts";
import { checkSampleImprovement } from "../core/consensus/paired_improvement.ts";
import { nextEntry } from "../core/consensus/next_entry.ts";
import type { NetworkParams } from "../core/consensus/params.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { type Block, decodeBlock } from "../core/primitives/block.ts";
import { REPO_ROOT, RNT_PERMISSIONS } from "./helpers.ts";

/** A running `rnt` program with its output collected. */
export class RntProcess {
  readonly #child: Deno.ChildProcess;
  readonly #done: Promise<void>;
  #stdout = "";
  #stderr = "";
  #status: Deno.CommandStatus | undefined;

  private constructor(child: Deno.ChildProcess) {
    this.#child = child;
    const decoder = () => new TextDecoder();
    const out = (async () => {
      const d = decoder();
      for await (const c of child.stdout) this.#stdout += d.decode(c, { stream: true });
    })();
    const err = (async () => {
      const d = decoder();
      for await (const c of child.stderr) this.#stderr += d.decode(c, { stream: true });
    })();
    this.#done = Promise.all([out, err]).then(() => {});
  }

  /** Spawns `rnt ARGS…` (main.ts under `deno run`). */
  static spawn(args: string[]): RntProcess {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...RNT_PERMISSIONS, `${REPO_ROOT}/main.ts`, ...args],
      cwd: REPO_ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return new RntProcess(child);
  }

  get stdout(): string {
    return this.#stdout;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** Waits until `pattern` appears in stdout+stderr (throws with the output after `ms`). */
  async waitFor(pattern: RegExp, ms: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = (this.#stdout + "\n" + this.#stderr).match(pattern);
      if (m) return m;
      if (this.#status || Date.now() > deadline) {
        throw new Error(
          `${pattern} not seen (${this.#status ? "exited" : "timeout"}):\n` +
            `--- stdout\n${this.#stdout}\n--- stderr\n${this.#stderr.slice(-4000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends `signal` and waits for the exit status. */
  async stop(signal: Deno.Signal = "SIGINT"): Promise<Deno.CommandStatus> {
    try {
      this.#child.kill(signal);
    } catch {
      // already exited
    }
    return await this.exited();
  }

  /** Waits for exit. */
  async exited(): Promise<Deno.CommandStatus> {
    this.#status = await this.#child.status;
    await this.#done;
    return this.#status;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#status === undefined) await this.stop("SIGKILL");
  }
}

/** The heights of `block N` lines printed by a miner. */
export function foundHeights(stdout: string): number[] {
  return [...stdout.matchAll(/^block (\d+) /gm)].map((m) => Number(m[1]));
}

/** Anything that answers RPC. */
export interface RpcCaller {
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
}

/**
 * Re-derives the active chain of `node` from genesis: configuration by the growth rule,
 * sample claims meeting μ_t, coinbase = the emission reward at the block's progress (no fees
 * or returns in these tests). Returns the blocks and the tip entry.
 */
export async function verifyChainEmission(
  node: RpcCaller,
  params: NetworkParams,
): Promise<{ tip: ChainEntry; blocks: Block[] }> {
  const height = await node.rpc<number>("getblockcount");
  let parent = genesisEntry(params);
  const timestamps = [parent.header.timestampSecs];
  const blocks: Block[] = [];
  for (let h = 1; h <= height; h++) {
    const hash = await node.rpc<string>("getblockhash", [h]);
    const block = decodeBlock(fromHex(await node.rpc<string>("getblock", [hash, 0])), params);
    const hdr = block.header;
    assert.equal(toHex(hdr.prevHash), toHex(parent.hash), `block ${h} extends its parent`);
    const next = nextModelConfig(params, parent);
    assert.deepEqual({ d: hdr.dModel, l: hdr.nLayers }, { d: next.dModel, l: next.nLayers });
    // The sample claims meet μ_t (the node re-evaluated them exactly when it connected it).
    checkSampleImprovement(hdr, parent.header, params);
    const minted = block.txs[0]!.outputs.reduce((s, o) => s + o.value, 0n);
    assert.equal(minted, blockReward(params, parent, headerProgressPpm(hdr)), `reward of ${h}`);
    parent = nextEntry(params, parent, block, {
      mintedResonances: minted,
      returnedResonances: 0n,
      recentTimestampsSecs: timestamps,
    });
    assert.equal(toHex(parent.hash), hash);
    timestamps.push(hdr.timestampSecs);
    blocks.push(block);
  }
  return { tip: parent, blocks };
}
