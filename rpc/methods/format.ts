/**
 * JSON shapes of headers, blocks and transactions in RPC results: Bitcoin Core's field names where
 * the meaning carries over (hash, confirmations, height, version, merkleroot, time, mediantime,
 * nTx, previousblockhash, nextblockhash, txid, hash, size, vin, vout), and Proof-of-Training
 * fields beside them (sample_loss, d_model, layers, checkpoint_root, …). Amounts are RNT numbers with
 * exactly 8 decimals, written from bigint.
 *
 * @module
 */
import { headerProgressPpm } from "../../core/consensus/growth.ts";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import {
  type AddressData,
  encodeAddress,
  isKnownRecoveryKind,
} from "../../core/primitives/address.ts";
import { type Block, encodeBlock, encodeHeader } from "../../core/primitives/block.ts";
import { formatPolicy } from "../../core/primitives/policy_text.ts";
import { encodeTx, isCoinbase, type Tx, type TxOut } from "../../core/primitives/tx.ts";
import { txid, wtxid } from "../../core/primitives/tx_hash.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { jsonNumber, type RawJson } from "../json_text.ts";
import { formatRnt } from "../../core/primitives/amount.ts";
import type { Node } from "../../node/node.ts";

/** Recovery kind byte → name. */
const KIND_NAMES: Record<number, string> = {
  1: "heartbeat",
  2: "social",
  3: "pending-recovery",
  4: "contract",
};

/** The name of a recovery kind byte ("unknown" for others). */
export function recoveryKindName(kind: number): string {
  return KIND_NAMES[kind] ?? "unknown";
}

/** An amount in resonances as an exact JSON number of RNT. */
export function amountJson(resonances: bigint): RawJson {
  return jsonNumber(formatRnt(resonances));
}

/** A loss in micro-nats as a JSON number of nats with 6 decimals. */
export function lossJson(microNats: number): RawJson {
  return jsonNumber((microNats / 1e6).toFixed(6));
}

/** The address fields of an output. */
export function addressJson(params: NetworkParams, a: AddressData): Record<string, unknown> {
  return {
    address: isKnownRecoveryKind(a.kind) ? encodeAddress(params, a) : null,
    recovery_kind: recoveryKindName(a.kind),
    policy_hash: toHex(a.hash),
  };
}

function outputJson(params: NetworkParams, out: TxOut, n: number): Record<string, unknown> {
  return {
    value: amountJson(out.value),
    value_resonances: out.value,
    n,
    ...addressJson(params, out.address),
  };
}

/** A decoded transaction (Core's `decoderawtransaction` shape, with our witness form). */
export function txJson(params: NetworkParams, tx: Tx): Record<string, unknown> {
  const coinbase = isCoinbase(tx);
  return {
    txid: toHex(txid(params.magic, tx)),
    hash: toHex(wtxid(params.magic, tx)),
    version: tx.version,
    size: encodeTx(tx).length,
    locktime: tx.locktime,
    vin: tx.inputs.map((input, i) => {
      if (coinbase) return { coinbase: true, sequence: input.sequence };
      const w = tx.witnesses[i];
      return {
        txid: toHex(input.prevout.txid),
        vout: input.prevout.vout,
        sequence: input.sequence,
        ...(w
          ? {
            policy: formatPolicy(w.policy),
            satisfaction: {
              signatures: w.satisfaction.signatures.map((s) => ({
                pubkey: toHex(s.publicKey),
                signature: toHex(s.signature),
              })),
              preimages: w.satisfaction.preimages.map(toHex),
            },
          }
          : {}),
      };
    }),
    vout: tx.outputs.map((o, n) => outputJson(params, o, n)),
  };
}

/** Confirmations of a block: tip − height + 1 on the active chain, −1 off it (Core). */
export function confirmations(node: Node, entry: ChainEntry): number {
  return node.chainstate.isActive(entry.hash)
    ? node.chainstate.tip().height - entry.height + 1
    : -1;
}

/** A header as `getblockheader` verbose returns it. */
export function headerJson(
  node: Node,
  entry: ChainEntry,
  block?: Block,
): Record<string, unknown> {
  const h = entry.header;
  const next = node.chainstate.isActive(entry.hash)
    ? node.chainstate.getEntryByHeight(entry.height + 1)
    : undefined;
  return {
    hash: toHex(entry.hash),
    confirmations: confirmations(node, entry),
    height: entry.height,
    version: h.version,
    versionHex: h.version.toString(16).padStart(8, "0"),
    merkleroot: toHex(h.txRoot),
    witnessroot: toHex(h.witnessRoot),
    time: h.timestampSecs,
    mediantime: entry.mtpSecs,
    ...(block ? { nTx: block.txs.length } : {}),
    ...(entry.height > 0 ? { previousblockhash: toHex(h.prevHash) } : {}),
    ...(next ? { nextblockhash: toHex(next.hash) } : {}),
    // The exact consensus losses on the block's sample (PROTOCOL §5.9), as the header's integers
    // and in nats, and what they verify: progress and the block's share of chain work.
    sample_loss: lossJson(h.sampleLossMicroNats),
    sample_loss_micronats: h.sampleLossMicroNats,
    parent_sample_loss: lossJson(h.parentSampleLossMicroNats),
    parent_sample_loss_micronats: h.parentSampleLossMicroNats,
    progress_ppm: headerProgressPpm(h),
    chainwork: chainWorkHex(entry.chainWork),
    d_model: h.dModel,
    layers: h.nLayers,
    checkpoint_root: toHex(h.checkpointRoot),
    checkpoint_size: h.checkpointSize,
    miner_key: toHex(h.minerKey),
    signature: toHex(h.signature),
    stagnation: entry.stagnation,
    minted: amountJson(entry.mintedResonances),
    returned: amountJson(entry.returnedResonances),
  };
}

/** Chain work as Core prints `chainwork`: 64 hex digits. */
export function chainWorkHex(work: bigint): string {
  return work.toString(16).padStart(64, "0");
}

/** The header's 264-byte hex encoding. */
export function headerHex(entry: ChainEntry): string {
  return toHex(encodeHeader(entry.header));
}

/** A block as `getblock` verbosity 1 (txids) or 2 (decoded transactions) returns it. */
export function blockJson(
  node: Node,
  entry: ChainEntry,
  block: Block,
  verbosity: 1 | 2,
): Record<string, unknown> {
  const params = node.params;
  return {
    ...headerJson(node, entry, block),
    size: encodeBlock(block).length,
    tx: verbosity === 1
      ? block.txs.map((tx) => toHex(txid(params.magic, tx)))
      : block.txs.map((tx) => txJson(params, tx)),
  };
}
