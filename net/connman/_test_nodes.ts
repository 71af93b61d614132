/**
 * Test and bench helpers (private): in-process nodes (a chainstate on a scripted evaluator, a
 * mempool, a peer manager) and a pre-mined chain of blocks with real checkpoints.
 *
 * @module
 */
import { type ChainClock, Chainstate } from "../../core/chain/chainstate.ts";
import { mineBlock, type MinedBlock, testClock } from "../../core/chain/_test_util.ts";
import { CHUNK_BYTES, chunkHashes, merkleProof } from "../../core/checkpoint/chunks.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { type ScriptedEvaluator, TestChain } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { Mempool } from "../../core/mempool/mempool.ts";
import { UnbroadcastSet } from "../../core/mempool/unbroadcast.ts";
import { blockId } from "../../core/primitives/block.ts";
import type { SyncNode } from "../sync/sync_node.ts";
import { Peer } from "../peer/peer.ts";
import {
  connectSecure,
  createNodeIdentity,
  type NodeIdentity,
  SecureTransport,
} from "../transport/mod.ts";
import { Services } from "../wire/mod.ts";
import { PeerManager, type PeerManagerOptions } from "./peer_manager.ts";

/** An in-process node. */
export interface TestNode {
  /** What the sync sees. */
  readonly node: SyncNode;
  /** Its peer manager (started). */
  readonly manager: PeerManager;
  /** Log lines. */
  readonly lines: string[];
  /** Its data directory. */
  readonly dir: string;
  /** Stops the manager, closes the chainstate and removes the datadir. */
  close(): Promise<void>;
}

/** `n` blocks on genesis with real checkpoints, their losses registered with `evaluator`. */
export async function mineTestBlocks(
  params: NetworkParams,
  evaluator: ScriptedEvaluator,
  n: number,
): Promise<MinedBlock[]> {
  const chain = new TestChain(params);
  const out: MinedBlock[] = [];
  for (let i = 0; i < n; i++) out.push(await mineBlock(chain, evaluator, i + 1));
  return out;
}

/**
 * Opens a chainstate in a temp dir (`prune` checkpoints, 0 = keep all; on `clock`, default
 * {@linkcode testClock}), submits `blocks`, and starts a peer manager on it.
 */
export async function startTestNode(
  params: NetworkParams,
  evaluator: ScriptedEvaluator,
  blocks: readonly MinedBlock[],
  options: Omit<PeerManagerOptions, "node" | "identity"> & {
    prune?: number;
    clock?: ChainClock;
  } = {},
): Promise<TestNode> {
  const dir = await Deno.makeTempDir({ prefix: "rnt-p2p-" });
  const { prune, clock = testClock, ...managerOptions } = options;
  const chainstate = await Chainstate.open(
    dir,
    params,
    evaluator,
    new Uint8Array(64),
    clock,
    prune === undefined ? {} : { prune },
  );
  for (const b of blocks) await chainstate.acceptBlock(b.block, b.checkpoint);
  const mempool = new Mempool(chainstate);
  const lines: string[] = [];
  const unbroadcast = new UnbroadcastSet();
  const node: SyncNode = {
    clock,
    params,
    chainstate,
    mempool,
    logger: { log: (line) => lines.push(line) },
    submitBlock: (block, checkpoint, source) =>
      chainstate.acceptBlock(block, checkpoint, { source }),
    unbroadcast,
    async submitTransaction(tx, origin = "local") {
      const entry = await mempool.acceptTx(tx);
      if (origin === "local") unbroadcast.add(entry.txid);
      return entry;
    },
  };
  const manager = new PeerManager({
    node,
    identity: createNodeIdentity(),
    datadir: dir,
    ...managerOptions,
  });
  await manager.start();
  return {
    node,
    manager,
    lines,
    dir,
    async close() {
      await manager.stop();
      await chainstate.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Polls `check` every 20 ms until it holds; after `ms` throws with `what()` (e.g. the node log). */
export async function until(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw test client connected to a node, serving blocks it announced with their checkpoints. */
export interface ServingPeer {
  /** The connection (closed with `disconnect`). */
  readonly peer: Peer;
  /** Its node id (the node discourages loopback peers by node id). */
  readonly identity: NodeIdentity;
  /** Resolves with the close reason once the connection ends. */
  readonly running: Promise<string>;
}

/**
 * Connects a raw peer to `port`, handshakes, announces `blocks` with `headers` and answers
 * `getdata` / `getckpt` for them with the block and verified checkpoint chunks.
 */
export async function servingPeer(
  params: NetworkParams,
  port: number,
  blocks: readonly MinedBlock[],
): Promise<ServingPeer> {
  const identity = createNodeIdentity();
  const transport = new SecureTransport({ networkMagic: params.magic, identity });
  const conn = await connectSecure(transport, { hostname: "127.0.0.1", port });
  const peer = new Peer({
    id: 1,
    connection: conn,
    host: "127.0.0.1",
    port: 0,
    inbound: false,
    limits: params,
  });
  await peer.handshake({
    networkMagic: params.magic,
    protocolVersion: 1,
    services: Services.network | Services.checkpoints,
    bestHeight: blocks.length,
    tipHash: new Uint8Array(32),
    tipLossMicroNats: 0,
    nonce: BigInt(Math.floor(Math.random() * 2 ** 48)),
    userAgent: "/serving-test-peer/",
    listenPort: 0,
  }, () => false);
  const byId = new Map(blocks.map((b) => [toHex(blockId(params.magic, b.block.header)), b]));
  const running = peer.run((p, m) => {
    if (m.type === "getdata") {
      for (const item of m.items) {
        const b = byId.get(toHex(item.hash));
        if (b) p.send({ type: "block", block: b.block });
      }
    }
    if (m.type === "getckpt") {
      const b = byId.get(toHex(m.blockHash));
      if (!b) return;
      const start = m.chunkIndex * CHUNK_BYTES;
      p.send({
        type: "ckptchunk",
        blockHash: m.blockHash,
        chunkIndex: m.chunkIndex,
        chunk: b.checkpoint.subarray(start, start + CHUNK_BYTES),
        proof: merkleProof(chunkHashes(b.checkpoint), m.chunkIndex),
      });
    }
  });
  peer.send({ type: "headers", headers: blocks.map((b) => b.block.header) });
  return { peer, identity, running };
}
