/**
 * Real regtest blocks paying a coinbase address a test chooses, without training: the first
 * blocks of a fresh node's chain built on the committed fixture's trained checkpoints
 * (tests/chain_fixture.ts) under headers of our own, the way crash_safety_test builds its source
 * chain. Tests that need coins in a wallet (a dozen coinbases, ten of them to mature) used to
 * train each block with `generatetoaddress`, which was most of their run time; a block can also
 * carry the node's mempool, to confirm a test's transactions. Mining itself, mempool
 * transactions included, is covered by the node, miner and mining tests (node_chain,
 * mempool_persist, node_emission_return, wallet_cli, mine_*).
 *
 * Each block reuses the fixture checkpoint of its height (the model config must be the one the
 * growth rule asks for, which is checked) and claims the exact sample losses a miner would
 * compute. The sample depends on the header, so it differs from the one the checkpoint was
 * trained against: the miner key is varied (a regtest sample of 64 windows is not grind-proof,
 * PROTOCOL §5.9) until the claims meet μ_t; most draws do. The node checks every rule and
 * evaluates every checkpoint on `submitblock`, as for any block.
 *
 * @module
 */
import { genesisCheckpointBytes } from "../core/consensus/genesis.ts";
import { isStagnant, nextModelConfig } from "../core/consensus/growth.ts";
import {
  headerSums,
  meetsPairedImprovement,
  requiredImprovementPpm,
} from "../core/consensus/paired_improvement.ts";
import type { NetworkParams } from "../core/consensus/params.ts";
import { TestChain } from "../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { type AddressData, decodeAddress } from "../core/primitives/address.ts";
import { blockId, decodeBlock, encodeBlock } from "../core/primitives/block.ts";
import { outpointKey } from "../core/consensus/chain_entry.ts";
import { decodeTx, type Tx } from "../core/primitives/tx.ts";
import { txid } from "../core/primitives/tx_hash.ts";
import { consensusEvaluator } from "../gpu/exact/evaluator.ts";
import { WasmExactEvaluator } from "../gpu/exact/wasm_evaluator.ts";
import { type FixtureBlock, readChainFixture } from "./chain_fixture.ts";
import type { NodeProcess } from "./node_process.ts";
import { sampleClaims } from "./sample_claims.ts";

/** Miner keys tried per block before giving up (a draw passes far more often than not). */
const MAX_KEYS = 64;
/** Keys tried for a block exactly as stagnant as the fixture's before any that keeps its growth. */
const EXACT_STAGNATION_KEYS = 16;

let fixtureOnce: Promise<FixtureBlock[]> | undefined;
/**
 * The exact path in this thread: the samples are small, and a worker per evaluation (the
 * default split) costs more than it saves here.
 */
const evaluator = consensusEvaluator(new WasmExactEvaluator({ workers: 0 }));

/** Options of {@linkcode submitFixtureBlocks}. */
export interface FixtureBlocksOptions {
  /** Coinbase address of every block (text or decoded). */
  to: string | AddressData;
  /** How many blocks (heights 1 to `count`; at most the fixture's length). */
  count: number;
  /**
   * The time block `height` is stamped with, before the rule max(time, parent MTP + 1) a miner
   * applies (default: the wall clock). Tests under `setmocktime` pass the mock time.
   */
  timeSecs?: (height: number) => number;
}

/**
 * Builds blocks 1 to `count` paying `to` and submits them to `node`, which must be at genesis;
 * returns their hashes. Throws when the node refuses one, or no miner key meets μ_t.
 */
export async function submitFixtureBlocks(
  node: NodeProcess,
  params: NetworkParams,
  options: FixtureBlocksOptions,
): Promise<string[]> {
  const chain = await FixtureChain.start(node, params);
  return await chain.extend(options.to, options.count, options.timeSecs);
}

/**
 * A fresh node's chain grown one fixture block at a time (for tests that look at the node
 * between blocks, or pay different addresses); every block goes to the node as it is built.
 */
export class FixtureChain {
  /** The node the blocks go to (set it to the new process after a restart). */
  node: NodeProcess;
  readonly #params: NetworkParams;
  readonly #fixture: readonly FixtureBlock[];
  readonly #chain: TestChain;
  #parentCheckpoint: Uint8Array;

  private constructor(node: NodeProcess, params: NetworkParams, fixture: FixtureBlock[]) {
    this.node = node;
    this.#params = params;
    this.#fixture = fixture;
    this.#chain = new TestChain(params);
    this.#parentCheckpoint = genesisCheckpointBytes(params);
  }

  /** Starts on `node`, which must be at genesis. */
  static async start(node: NodeProcess, params: NetworkParams): Promise<FixtureChain> {
    if ((await node.rpc<number>("getblockcount")) !== 0) {
      throw new Error("a fixture chain needs a node at genesis");
    }
    return new FixtureChain(node, params, await (fixtureOnce ??= readChainFixture()));
  }

  /** Height of the last block submitted (0 before the first). */
  get height(): number {
    return this.#chain.tip.height;
  }

  /**
   * Submits `count` blocks paying `to`, block `height` stamped `timeSecs(height)` (default: the
   * wall clock) as in {@linkcode submit}; returns their hashes.
   */
  async extend(
    to: string | AddressData,
    count: number,
    timeSecs: (height: number) => number = () => Math.floor(Date.now() / 1000),
  ): Promise<string[]> {
    const hashes: string[] = [];
    for (let i = 0; i < count; i++) hashes.push(await this.submit(to, timeSecs(this.height + 1)));
    return hashes;
  }

  /**
   * Builds the next block, paying its coinbase to `to` and stamped max(`timeSecs`, parent MTP
   * + 1), submits it and returns its hash. With `mempool`, the block carries every transaction
   * of the node's mempool (parents first), as a block the node mined would. Throws when the
   * node refuses it, the fixture ends, or no miner key meets μ_t with a sample as stagnant (or
   * not) as the fixture block's.
   */
  async submit(
    to: string | AddressData,
    timeSecs: number,
    options: { mempool?: boolean } = {},
  ): Promise<string> {
    const params = this.#params;
    const chain = this.#chain;
    const height = chain.tip.height + 1;
    const fixed = this.#fixture[height - 1];
    if (!fixed) throw new RangeError(`the chain fixture holds only ${this.#fixture.length} blocks`);
    const like = decodeBlock(fixed.block, params).header;
    const config = nextModelConfig(params, chain.tip);
    if (config.dModel !== like.dModel || config.nLayers !== like.nLayers) {
      throw new Error(
        `fixture block ${height} has model ${like.dModel}x${like.nLayers}, ` +
          `the chain here needs ${config.dModel}x${config.nLayers}`,
      );
    }
    chain.nowSecs = Math.max(chain.nowSecs, timeSecs + 3600);
    const coinbaseTo = typeof to === "string" ? decodeAddress(params, to) : to;
    const txs = options.mempool ? await this.#mempool() : [];
    // Another timestamp draws another sample, whose progress may fall on the other side of 2μ
    // than the fixture's, and the stagnation count sets how much the model grows (§5.3): every
    // later fixture block has the fixture's model size. Preferred: a key whose block is as
    // stagnant (or not) as the fixture's, so the count follows the fixture's. After
    // EXACT_STAGNATION_KEYS tries, any key whose count still gives the next fixture block its
    // size (the count matters only in steps of `stagnationStep`).
    const next = this.#fixture[height];
    const nextLike = next ? decodeBlock(next.block, params).header : undefined;
    const keepsGrowth = (stagnant: boolean) => {
      if (!nextLike) return true;
      const after = nextModelConfig(params, {
        ...chain.tip,
        header: { ...chain.tip.header, dModel: like.dModel, nLayers: like.nLayers },
        stagnation: stagnant ? chain.tip.stagnation + 1 : 0,
      });
      return after.dModel === nextLike.dModel && after.nLayers === nextLike.nLayers;
    };
    let built;
    for (let key = 0; key < MAX_KEYS && !built; key++) {
      const minerSeed = new Uint8Array(32).fill(0x6b);
      minerSeed[0] = height;
      minerSeed[1] = key;
      const claims = await sampleClaims(
        params,
        chain.tip,
        this.#parentCheckpoint,
        fixed.checkpoint,
        timeSecs,
        minerSeed,
        evaluator,
      );
      const required = requiredImprovementPpm(
        params,
        chain.tip.header.timestampSecs,
        claims.timestampSecs,
      );
      if (!meetsPairedImprovement(headerSums(claims), required)) continue;
      const stagnant = isStagnant(params, claims);
      const exact = stagnant === isStagnant(params, like);
      if (!exact && !(key >= EXACT_STAGNATION_KEYS && keepsGrowth(stagnant))) continue;
      built = await chain.mine({
        minerSeed,
        coinbaseTo,
        txs,
        ...claims,
        checkpoint: { root: like.checkpointRoot, size: like.checkpointSize },
      });
    }
    if (!built) {
      throw new Error(
        `no miner key of ${MAX_KEYS} met μ_t and kept the fixture's growth for fixture block ${height}`,
      );
    }
    const result = await this.node.rpc("submitblock", [
      toHex(encodeBlock(built)),
      toHex(fixed.checkpoint),
    ]);
    if (result !== null) throw new Error(`block ${height}: submitblock returned ${result}`);
    this.#parentCheckpoint = fixed.checkpoint;
    return toHex(blockId(params.magic, built.header));
  }

  /**
   * The node's mempool transactions, each after the ones it spends from, less those whose inputs
   * this chain does not hold unspent (nor an earlier one of them creates): a node that has not
   * yet processed the last block still lists its transactions, which would spend outputs twice.
   */
  async #mempool(): Promise<Tx[]> {
    const params = this.#params;
    const ids = await this.node.rpc<string[]>("getrawmempool");
    const pending = await Promise.all(ids.map(async (id) => {
      const hex = await this.node.rpc<string>("getrawtransaction", [id]);
      return decodeTx(fromHex(hex), params.maxTxBytes);
    }));
    const ordered: Tx[] = [];
    while (pending.length > 0) {
      const waiting = new Set(pending.map((tx) => toHex(txid(params.magic, tx))));
      const ready = pending.findIndex((tx) =>
        tx.inputs.every((i) => !waiting.has(toHex(i.prevout.txid)))
      );
      if (ready < 0) throw new Error("the mempool has a dependency cycle");
      ordered.push(...pending.splice(ready, 1));
    }
    const created = new Set<string>();
    const spent = new Set<string>();
    return ordered.filter((tx) => {
      const keys = tx.inputs.map((i) => outpointKey(i.prevout));
      const unspent = keys.every((k) =>
        !spent.has(k) && (created.has(k) || this.#chain.view.get(k) !== undefined)
      );
      if (!unspent) return false;
      for (const k of keys) spent.add(k);
      const id = txid(params.magic, tx);
      tx.outputs.forEach((_, vout) => created.add(outpointKey({ txid: id, vout })));
      return true;
    });
  }
}
