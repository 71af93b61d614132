/**
 * What gossip needs from the node's chain (PROTOCOL §9.9): the unspent output at a short channel
 * id's position in the active chain (to accept a `channel_announcement`), and the position and
 * depth of one of our funding outputs (to announce our channel).
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import type { Chainstate } from "../../core/chain/chainstate.ts";
import { shortChannelIdOf, shortChannelIdParts } from "../../core/lightning/gossip_channel_id.ts";
import type { FundingOutput } from "../../core/lightning/graph.ts";
import { txid } from "../../core/primitives/tx_hash.ts";

/** An outpoint as channels store it. */
export interface Outpoint {
  readonly txid: Uint8Array;
  readonly vout: number;
}

/** Where a funding output sits and how deep. */
export interface FundingPosition {
  /** Its short channel id. */
  readonly shortChannelId: bigint;
  /** Blocks on top of and including the one that confirmed it. */
  readonly confirmations: number;
}

/** Chain lookups by position over the node's chain state. */
export class GossipChain {
  readonly #chainstate: Chainstate;
  readonly #magic: Uint8Array;
  /** Outpoints of positions already resolved (a position's transaction never changes while active). */
  readonly #outpoints = new Map<bigint, { outpoint: Outpoint; blockHash: string }>();

  constructor(chainstate: Chainstate, magic: Uint8Array) {
    this.#chainstate = chainstate;
    this.#magic = magic;
  }

  /** The unspent output at `shortChannelId` in the active chain, or undefined (none, or spent). */
  async fundingAt(shortChannelId: bigint): Promise<FundingOutput | undefined> {
    const outpoint = await this.#outpointAt(shortChannelId);
    if (!outpoint) return undefined;
    const utxo = await this.#chainstate.getUtxo(outpoint);
    return utxo && { valueResonances: utxo.value, policyHash: utxo.address.hash };
  }

  /** The position and depth of the unspent output `outpoint`, or undefined when unconfirmed. */
  async positionOf(outpoint: Outpoint): Promise<FundingPosition | undefined> {
    const utxo = await this.#chainstate.getUtxo(outpoint);
    if (!utxo) return undefined;
    const entry = this.#chainstate.getEntryByHeight(utxo.height);
    const block = entry && await this.#chainstate.getBlock(entry.hash);
    if (!block) return undefined;
    const want = toHex(outpoint.txid);
    const txIndex = block.txs.findIndex((tx) => toHex(txid(this.#magic, tx)) === want);
    if (txIndex < 0 || txIndex > 0xffff || outpoint.vout > 0xffff) return undefined;
    return {
      shortChannelId: shortChannelIdOf({
        height: utxo.height,
        txIndex,
        outputIndex: outpoint.vout,
      }),
      confirmations: this.#chainstate.tip().height - utxo.height + 1,
    };
  }

  async #outpointAt(shortChannelId: bigint): Promise<Outpoint | undefined> {
    const { height, txIndex, outputIndex } = shortChannelIdParts(shortChannelId);
    const entry = this.#chainstate.getEntryByHeight(height);
    if (!entry) return undefined;
    const cached = this.#outpoints.get(shortChannelId);
    // A reorganisation may put another block at that height.
    if (cached && cached.blockHash === toHex(entry.hash)) return cached.outpoint;
    const block = await this.#chainstate.getBlock(entry.hash);
    const tx = block?.txs[txIndex];
    if (!tx || outputIndex >= tx.outputs.length) return undefined;
    const outpoint = { txid: txid(this.#magic, tx), vout: outputIndex };
    this.#outpoints.set(shortChannelId, { outpoint, blockHash: toHex(entry.hash) });
    return outpoint;
  }
}
