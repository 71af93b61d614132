/**
 * Honest and forged regtest blocks for the Proof-of-Training flood test and bench (issue 14,
 * item 5), and a raw attacker peer that speaks the project's own encrypted transport.
 *
 * - Honest blocks pair a trained checkpoint of the committed chain fixture (only its `.rnet`
 *   bytes are used, not its headers) with its parent under a fresh header whose two sample-loss
 *   claims are computed exactly like a miner does (the block's own sample, the exact evaluator).
 * - Forged blocks carry valid headers (signature, height, growth, time, claims that meet μ) and
 *   real, decodable checkpoints whose claims do not re-evaluate: either a trained checkpoint
 *   whose exact claim is off by one µnat (the forger paid two evaluations to make it) or a
 *   random checkpoint claiming the largest progress the cap counts (made for a signature).
 * - The attacker peer sends such blocks unsolicited and serves their checkpoint chunks.
 *
 * @module
 */
import { claimsOfHeader } from "./sample_claims.ts";
import { chunkHashes, merkleProof } from "../core/checkpoint/chunks.ts";
import { CHUNK_BYTES } from "../core/checkpoint/chunks.ts";
import type { ChainEntry } from "../core/consensus/chain_entry.ts";
import type { Evaluator } from "../core/consensus/evaluator.ts";
import { genesisCheckpointBytes } from "../core/consensus/genesis.ts";
import type { NetworkParams } from "../core/consensus/params.ts";
import {
  buildChildBlock,
  TestChain,
  testCheckpoint,
} from "../core/consensus/testing/block_builder.ts";
import { checkpointRoot } from "../core/checkpoint/chunks.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { type Block, blockId, unsignedOf } from "../core/primitives/block.ts";
import { consensusEvaluator, selectExactEvaluator } from "../gpu/exact/evaluator.ts";
import { loadEvalCorpus } from "../gpu/model/eval_corpus.ts";
import { Peer } from "../net/peer/mod.ts";
import { connectSecure } from "../net/transport/deno_conn.ts";
import { createNodeIdentity, type NodeIdentity, SecureTransport } from "../net/transport/mod.ts";
import { InvType, type Message, Services } from "../net/wire/mod.ts";

/** A block and the checkpoint its header commits to. */
export interface BlockWithCheckpoint {
  readonly block: Block;
  readonly checkpoint: Uint8Array;
  /** Block id, hex. */
  readonly hash: string;
}

/** Miner seed of forged blocks (any key signs a valid header). */
export const FORGER_SEED: Uint8Array = new Uint8Array(32).fill(0x66);

/** Builds honest and forged blocks on an in-memory copy of the honest chain. */
export class BlockForge {
  readonly params: NetworkParams;
  readonly #corpus: Uint8Array;
  readonly #evaluator: Evaluator;
  /** The honest chain so far (stages 1–3 checked here; the node evaluates). */
  readonly chain: TestChain;
  /** Checkpoint bytes of the honest chain, by height (genesis at 0). */
  readonly checkpoints: Uint8Array[];
  /** Exact evaluations this forge ran (each: one checkpoint on one K-window sample). */
  evaluations = 0;

  private constructor(params: NetworkParams, corpus: Uint8Array, evaluator: Evaluator) {
    this.params = params;
    this.#corpus = corpus;
    this.#evaluator = evaluator;
    this.chain = new TestChain(params);
    this.chain.nowSecs = Math.floor(Date.now() / 1000) + 3600;
    this.checkpoints = [genesisCheckpointBytes(params)];
  }

  /** A forge on `params`' genesis with the evaluation corpus and the fastest exact evaluator. */
  static async open(params: NetworkParams): Promise<BlockForge> {
    return new BlockForge(
      params,
      await loadEvalCorpus(),
      consensusEvaluator(selectExactEvaluator("auto")),
    );
  }

  /** The honest tip's entry. */
  get tip(): ChainEntry {
    return this.chain.tip;
  }

  /**
   * A child of `parent` carrying `checkpoint` with the exact claims of its own sample (plus
   * `childClaimOffset` µnats on the child's claim: 0 for an honest block).
   */
  async #claimed(
    parent: ChainEntry,
    parentCheckpoint: Uint8Array,
    checkpoint: Uint8Array,
    opts: { minerSeed?: Uint8Array; timestampSecs?: number; childClaimOffset?: number },
  ): Promise<BlockWithCheckpoint> {
    const base = {
      checkpoint: { root: checkpointRoot(checkpoint), size: checkpoint.length },
      ...(opts.minerSeed ? { minerSeed: opts.minerSeed } : {}),
      ...(opts.timestampSecs ? { timestampSecs: opts.timestampSecs } : {}),
    };
    // The sample seed leaves out the claims and the transaction roots: build once to learn it.
    const draft = buildChildBlock(this.params, parent, {
      ...base,
      parentSampleLossMicroNats: 2,
      sampleLossMicroNats: 1,
    });
    const s = await claimsOfHeader(
      this.params,
      unsignedOf(draft.header),
      parent,
      parentCheckpoint,
      checkpoint,
      this.#evaluator,
      this.#corpus,
    );
    this.evaluations += 2;
    const block = buildChildBlock(this.params, parent, {
      ...base,
      parentSampleLossMicroNats: s.parentSampleLossMicroNats,
      sampleLossMicroNats: s.sampleLossMicroNats + (opts.childClaimOffset ?? 0),
    });
    return { block, checkpoint, hash: toHex(blockId(this.params.magic, block.header)) };
  }

  /**
   * The next honest block: `checkpoint` (trained on the tip's) on the tip with exact claims;
   * it becomes the forge's tip.
   */
  async honest(checkpoint: Uint8Array, minerSeed?: Uint8Array): Promise<BlockWithCheckpoint> {
    const parentCheckpoint = this.checkpoints[this.checkpoints.length - 1]!;
    const made = await this.#claimed(this.tip, parentCheckpoint, checkpoint, {
      ...(minerSeed ? { minerSeed } : {}),
    });
    await this.chain.accept(made.block);
    this.checkpoints.push(checkpoint);
    return made;
  }

  /**
   * A forged child of the honest block at `height` (default: the tip): `checkpoint` with its
   * exact claims but the child's claim off by one µnat. Costs the forger two evaluations.
   */
  offByOne(
    checkpoint: Uint8Array,
    variant: number,
    height = this.chain.entries.length - 1,
  ): Promise<BlockWithCheckpoint> {
    const parent = this.chain.entries[height]!;
    return this.#claimed(parent, this.checkpoints[height]!, checkpoint, {
      minerSeed: FORGER_SEED,
      timestampSecs: parent.header.timestampSecs + 61 + variant,
      childClaimOffset: 1,
    });
  }

  /**
   * A forged child of the honest block at `height` (default: the tip): a random decodable
   * checkpoint claiming `progressPpm` (default 50 %) over a made-up parent loss. Costs the
   * forger one signature, no evaluation.
   */
  hugeClaim(
    variant: number,
    progressPpm = 500_000,
    height = this.chain.entries.length - 1,
  ): BlockWithCheckpoint {
    const parent = this.chain.entries[height]!;
    const draft = buildChildBlock(this.params, parent);
    const ckpt = testCheckpoint(draft.header, 1000 + variant);
    const parentLoss = 5_000_000;
    const block = buildChildBlock(this.params, parent, {
      minerSeed: FORGER_SEED,
      timestampSecs: parent.header.timestampSecs + 61 + variant,
      checkpoint: { root: ckpt.root, size: ckpt.size },
      parentSampleLossMicroNats: parentLoss,
      sampleLossMicroNats: Math.floor(parentLoss * (1_000_000 - progressPpm) / 1_000_000),
    });
    return {
      block,
      checkpoint: ckpt.bytes,
      hash: toHex(blockId(this.params.magic, block.header)),
    };
  }
}

/** A raw peer sending forged blocks and serving their checkpoints. */
export interface AttackerPeer {
  /** The connection (send, disconnect, closed). */
  readonly peer: Peer;
  /** Our node id, hex: the node discourages loopback peers by node id. */
  readonly nodeId: string;
  /** Checkpoint chunks served so far. */
  chunksServed: number;
  /** Serves `b`'s block and checkpoint on request from now on. */
  offer(b: BlockWithCheckpoint): void;
  /** Sends `b` unsolicited (and serves its checkpoint). */
  push(b: BlockWithCheckpoint): void;
}

/** Options of {@linkcode connectAttacker}. */
export interface AttackerOptions {
  /** The node identity (default: a fresh one; the same one again to try a reconnect). */
  readonly identity?: NodeIdentity;
  /**
   * Close the connection as soon as the last chunk of a checkpoint is written, before the node
   * can judge the block (to try to leave without being discouraged).
   */
  readonly leaveAfterCheckpoint?: boolean;
}

/**
 * Connects to a node's P2P `port`, runs the handshake and answers `getckpt` / `getdata` for the
 * blocks it offers. Rejects when the node refuses the connection.
 */
export async function connectAttacker(
  params: NetworkParams,
  port: number,
  options: AttackerOptions = {},
): Promise<AttackerPeer> {
  const identity = options.identity ?? createNodeIdentity();
  const transport = new SecureTransport({ networkMagic: params.magic, identity });
  const conn = await connectSecure(transport, {
    hostname: "127.0.0.1",
    port,
    signal: AbortSignal.timeout(10_000),
  });
  const peer = new Peer({
    id: 0,
    connection: conn,
    host: "127.0.0.1",
    port,
    inbound: false,
    limits: params,
    handshakeTimeoutMs: 5_000,
  });
  const genesis = new TestChain(params).tip;
  await peer.handshake({
    networkMagic: params.magic,
    protocolVersion: 1,
    services: Services.network | Services.checkpoints,
    bestHeight: 0,
    tipHash: genesis.hash,
    tipLossMicroNats: 0,
    nonce: BigInt(Math.floor(Math.random() * 2 ** 48)),
    userAgent: "/pot-flood-attacker/",
    listenPort: 0,
  }, () => false);
  const offered = new Map<string, BlockWithCheckpoint>();
  const hashes = new Map<string, Uint8Array[]>();
  const attacker: AttackerPeer = {
    peer,
    nodeId: toHex(identity.publicKey),
    chunksServed: 0,
    offer(b) {
      offered.set(b.hash, b);
    },
    push(b) {
      offered.set(b.hash, b);
      peer.send({ type: "block", block: b.block });
    },
  };
  const answer = (m: Message): void => {
    if (m.type === "getckpt") {
      const b = offered.get(toHex(m.blockHash));
      if (!b) return;
      const start = m.chunkIndex * CHUNK_BYTES;
      const n = Math.ceil(b.checkpoint.length / CHUNK_BYTES);
      let proof: Uint8Array[] = [];
      if (n > 1) {
        const known = hashes.get(b.hash) ?? chunkHashes(b.checkpoint);
        hashes.set(b.hash, known);
        proof = merkleProof(known, m.chunkIndex);
      }
      attacker.chunksServed++;
      peer.send({
        type: "ckptchunk",
        blockHash: m.blockHash,
        chunkIndex: m.chunkIndex,
        chunk: b.checkpoint.subarray(start, Math.min(start + CHUNK_BYTES, b.checkpoint.length)),
        proof,
      });
      if (options.leaveAfterCheckpoint && m.chunkIndex === n - 1) {
        // A decoy frame resolves once every frame queued before it is on the wire.
        void conn.sendDecoy(0).then(() => peer.disconnect("leaving"), () => {});
      }
    } else if (m.type === "getdata") {
      for (const item of m.items) {
        const b = item.type === InvType.block ? offered.get(toHex(item.hash)) : undefined;
        if (b) peer.send({ type: "block", block: b.block });
      }
    }
  };
  void peer.run((_, m) => answer(m)).catch(() => {});
  return attacker;
}

/** `rejected block <hash> …: <reason>` lines of a node log, by block hash. */
export function rejectedBlocks(log: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of log.matchAll(/rejected block ([0-9a-f]{64}) height=\d+: ([a-z-]+)/g)) {
    out.set(m[1]!, m[2]!);
  }
  return out;
}

/** Hashes of the blocks the node evaluated and found valid (`verified height=… hash=…`). */
export function verifiedBlocks(log: string): string[] {
  return [...log.matchAll(/verified height=\d+ hash=([0-9a-f]{64})/g)].map((m) => m[1]!);
}

/**
 * Blocks the node ran the exact evaluator on: every verified one, and every one rejected for a
 * claim that did not re-evaluate (`sample-loss-mismatch`: at least the child's evaluation ran).
 */
export function evaluatedBlocks(log: string): string[] {
  const mismatched = [...rejectedBlocks(log)].filter(([, r]) => r === "sample-loss-mismatch")
    .map(([h]) => h);
  return [...verifiedBlocks(log), ...mismatched];
}
