/**
 * Test helper (private): a real Chainstate on LevelDB in a temp dir, a real Mempool following it,
 * a reference TestChain that mines blocks with real checkpoints, and a funded channel between
 * "us" (key ring A, the watcher's node, funder) and a peer (key ring B) with signed commitments.
 * Not for production code.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { Chainstate } from "../../core/chain/chainstate.ts";
import { mineBlock, ScriptedEvaluator, TestChain, testClock } from "../../core/chain/_test_util.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { heartbeatWallet, outputKey } from "../../core/consensus/testing/block_builder.ts";
import { perCommitmentPoint } from "../../core/lightning/commitment_keys.ts";
import type {
  ChannelPartyParams,
  ChannelSide,
  CommitmentSpec,
  HtlcSpec,
} from "../../core/lightning/commitment_spec.ts";
import {
  buildCommitmentTx,
  type CommitmentTx,
  fundingOutput,
  signFundingSpend,
  withFundingWitness,
} from "../../core/lightning/commitment_tx.ts";
import {
  encodeShachainStore,
  FIRST_COMMITMENT_INDEX,
  perCommitmentSecret,
  ShachainStore,
} from "../../core/lightning/shachain.ts";
import { Mempool } from "../../core/mempool/mempool.ts";
import type { OutPoint, Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { ChannelKeyRing } from "./channel_keys.ts";
import type { ChannelRecord, CommitmentRef } from "./channel_record.ts";

/** The network of the tests. */
export const params = REGTEST;
/** The funding output's value, resonances. */
export const FUNDING_VALUE = 500_000n;
/** The delay the peer imposes on us (our to_owner waits this long). */
export const OUR_WAIT_SECS = 600;
/** The delay we impose on the peer. */
export const PEER_WAIT_SECS = 300;

/** A key ring from a label. */
export function ringOf(label: string): ChannelKeyRing {
  return new ChannelKeyRing(sha256(new TextEncoder().encode(label)));
}

/** Our key ring (the watcher's node) and the peer's. */
export const ours = ringOf("ours");
export const peer = ringOf("peer");
/** Our channel parameters (the peer waits PEER_WAIT_SECS on its commitments). */
export const ourParams: ChannelPartyParams = ours.channelParams(0, PEER_WAIT_SECS, 500n);
/** The peer's parameters (we wait OUR_WAIT_SECS on ours). */
export const peerParams: ChannelPartyParams = peer.channelParams(0, OUR_WAIT_SECS, 300n);
/** Per-commitment seeds of both sides. */
export const ourSeed: Uint8Array = sha256(new TextEncoder().encode("our shachain"));
export const peerSeed: Uint8Array = sha256(new TextEncoder().encode("peer shachain"));

/** Per-commitment secret of `seed` at commitment `n`. */
export function secretOf(seed: Uint8Array, n: bigint): Uint8Array {
  return perCommitmentSecret(seed, FIRST_COMMITMENT_INDEX - Number(n));
}

/** An HTLC the peer offered us (in its commitments: offered by the owner). */
export const peerHtlc: HtlcSpec = {
  id: 0n,
  offeredBy: "remote",
  amountMres: 50_000_000n,
  paymentHash: sha256(new TextEncoder().encode("preimage")),
  expirySecs: 2_000_000_000,
};

/** The chain, the mempool and a miner for one test. */
export class WatchWorld {
  readonly dir: string;
  readonly ev = new ScriptedEvaluator();
  /** The reference chain new blocks are mined on (replaced by {@link switchTo}). */
  ref: TestChain = new TestChain(params);
  cs!: Chainstate;
  pool!: Mempool;
  #seed = 700;
  #pending: Promise<void> = Promise.resolve();
  funding!: { outpoint: OutPoint; value: bigint; height: number };

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** A chain of 12 blocks with a funding transaction mined in the 13th. */
  static async create(): Promise<WatchWorld> {
    const w = new WatchWorld(await Deno.makeTempDir({ prefix: "rnt-ln-watch-" }));
    await w.openChain();
    for (let i = 0; i < 12; i++) await w.mine();
    const wallet = heartbeatWallet(params, 0);
    const cbKey = outputKey(params, w.ref.blocks[1]!.txs[0]!, 0);
    const cbValue = w.ref.view.get(cbKey)!.value;
    const f = fundingOutput(ourParams.fundingKey, peerParams.fundingKey, FUNDING_VALUE);
    const fund = w.ref.spend(wallet, [cbKey], [
      f.output,
      { value: cbValue - FUNDING_VALUE - 1_000n, address: wallet.address },
    ]);
    await w.mine([fund]);
    w.funding = {
      outpoint: { txid: txid(params.magic, fund), vout: 0 },
      value: FUNDING_VALUE,
      height: w.cs.height(),
    };
    return w;
  }

  /** Opens the chainstate and a fresh mempool on it. */
  async openChain(): Promise<void> {
    this.cs = await Chainstate.open(
      `${this.dir}/chain`,
      params,
      this.ev,
      new Uint8Array(64),
      testClock,
    );
    this.pool = new Mempool(this.cs);
    this.cs.onTipChange((change) => {
      this.#pending = this.pool.handleTipChange(change);
    });
  }

  /** Mines a block with `txs` (default: the mempool's) and connects it to the chainstate. */
  async mine(txs?: Tx[]): Promise<void> {
    const included = txs ?? (this.pool ? this.pool.getTemplateTxs(500_000) : []);
    const m = await mineBlock(this.ref, this.ev, this.#seed++, { txs: included });
    const r = await this.cs.acceptBlock(m.block, m.checkpoint);
    if (r.status !== "connected") throw new Error(`Block not connected: ${r.status}`);
    await this.#pending;
  }

  /**
   * Mines `count` empty blocks on a branch that forks below the tip's `depth` blocks and makes it
   * the reference chain; returns the chainstate's tip height after each block.
   */
  async reorg(depth: number, count: number): Promise<void> {
    const branch = new TestChain(params);
    const keep = this.ref.blocks.length - depth;
    for (const b of this.ref.blocks.slice(1, keep)) await branch.accept(b);
    for (let i = 0; i < count; i++) {
      const m = await mineBlock(branch, this.ev, this.#seed++);
      await this.cs.acceptBlock(m.block, m.checkpoint);
      await this.#pending;
    }
    this.ref = branch;
  }

  /** The funding output's policy and output, for signing a funding spend. */
  signFundingSpend(tx: Tx): Tx {
    const f = fundingOutput(ourParams.fundingKey, peerParams.fundingKey, this.funding.value);
    const a = ours.channelSecrets(0);
    const b = peer.channelSecrets(0);
    return withFundingWitness(tx, f.policy, [
      signFundingSpend(params.magic, tx, f.output, a.fundingSeed, a.fundingKey),
      signFundingSpend(params.magic, tx, f.output, b.fundingSeed, b.fundingKey),
    ]);
  }

  /** Closes the chainstate and removes the directory. */
  async destroy(): Promise<void> {
    await this.cs.close();
    await Deno.remove(this.dir, { recursive: true });
  }

  /** A commitment of `owner` at `n` with the given balances, signed by both funding keys. */
  commitment(
    owner: ChannelSide,
    n: bigint,
    toOwnerMres: bigint,
    toOtherMres: bigint,
    htlcs: readonly HtlcSpec[] = [],
  ): { built: CommitmentTx; signed: Tx; ref: CommitmentRef } {
    const spec: CommitmentSpec = {
      owner,
      commitmentNumber: n,
      toOwnerMres,
      toOtherMres,
      feeResonances: 1_000n,
      htlcs,
    };
    const point = perCommitmentPoint(secretOf(owner === "local" ? ourSeed : peerSeed, n));
    const built = buildCommitmentTx(params.magic, spec, {
      local: ourParams,
      remote: peerParams,
      funder: "local",
      fundingOutpoint: this.funding.outpoint,
      fundingValue: this.funding.value,
      ownerPerCommitmentPoint: point,
    });
    const a = ours.channelSecrets(0);
    const b = peer.channelSecrets(0);
    const signed = withFundingWitness(built.tx, built.fundingPolicy, [
      signFundingSpend(params.magic, built.tx, built.fundingOutput, a.fundingSeed, a.fundingKey),
      signFundingSpend(params.magic, built.tx, built.fundingOutput, b.fundingSeed, b.fundingKey),
    ]);
    return { built, signed, ref: { point, spec } };
  }

  /**
   * Our record of the channel at commitment 1 on both sides, the peer's commitment 0 revoked
   * (its secret given to us).
   */
  record(local: CommitmentRef, remote: CommitmentRef): ChannelRecord {
    const secrets = new ShachainStore();
    secrets.insert(FIRST_COMMITMENT_INDEX, secretOf(peerSeed, 0n));
    return {
      channelId: sha256(new TextEncoder().encode("channel")),
      keyIndex: 0,
      peerNodeKey: new Uint8Array(32).fill(7),
      peerAddress: "127.0.0.1:18555",
      funder: "local",
      fundingOutpoint: this.funding.outpoint,
      fundingValue: this.funding.value,
      fundingHeight: this.funding.height,
      local: ourParams,
      remote: peerParams,
      localCommit: local,
      remoteCommits: [remote],
      remoteSecrets: encodeShachainStore(secrets),
      state: { version: 1, bytes: new Uint8Array([1, 2, 3]) },
    };
  }
}

/** A logger that keeps its lines. */
export class LineLog {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(message);
  }
  /** Lines containing `text`. */
  with(text: string): string[] {
    return this.lines.filter((l) => l.includes(text));
  }
}
