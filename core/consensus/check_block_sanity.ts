/**
 * Stage 1 block rules: what a block alone must satisfy (PROTOCOL §5.5), btcd's
 * `CheckBlockSanity`. Order: header sanity, coinbase present, each transaction's sanity, block
 * size, coinbase rules, duplicate txids, txRoot, witnessRoot.
 *
 * @module
 */
import { toHex } from "../crypto/keccak.ts";
import { compactSizeLength } from "../encoding/compact_size.ts";
import {
  type Block,
  computeTxRoot,
  computeWitnessRoot,
  HEADER_BYTES,
} from "../primitives/block.ts";
import { isCoinbase, txSize } from "../primitives/tx.ts";
import { txid } from "../primitives/tx_hash.ts";
import { checkHeaderSanity } from "./check_header_sanity.ts";
import { checkTxSanity } from "./check_tx_sanity.ts";
import type { NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";
import { bytesEqual } from "../util/bytes_equal.ts";

/** The first transaction is a coinbase ("bad-cb-missing"), no other is ("bad-cb-multiple"). */
export function checkCoinbasePlacement(block: Block): void {
  const [first] = block.txs;
  if (!first || !isCoinbase(first)) reject("bad-cb-missing");
  for (let i = 1; i < block.txs.length; i++) {
    if (isCoinbase(block.txs[i]!)) reject("bad-cb-multiple", `transaction ${i}`);
  }
}

/** The coinbase locktime equals the block height, making coinbase txids unique ("bad-cb-height"). */
export function checkCoinbaseHeight(block: Block): void {
  const cb = block.txs[0]!;
  if (cb.locktime !== block.header.height) {
    reject("bad-cb-height", `coinbase locktime ${cb.locktime}, height ${block.header.height}`);
  }
}

/** Encoded block size (checkpoint excluded) at most `maxBlockBytes` ("bad-blk-length"). */
export function checkBlockSize(block: Block, params: NetworkParams): void {
  let size = HEADER_BYTES + compactSizeLength(block.txs.length);
  for (const tx of block.txs) size += txSize(tx);
  if (size > params.maxBlockBytes) reject("bad-blk-length", `${size} > ${params.maxBlockBytes}`);
}

/** No two transactions share a txid ("bad-txns-duplicate"); returns the txids. */
export function checkNoDuplicateTxids(block: Block, params: NetworkParams): Uint8Array[] {
  const ids = block.txs.map((t) => txid(params.magic, t));
  const seen = new Set<string>();
  for (const id of ids) {
    const hex = toHex(id);
    if (seen.has(hex)) reject("bad-txns-duplicate", hex);
    seen.add(hex);
  }
  return ids;
}

/** `txRoot` ("bad-txnmrklroot") and `witnessRoot` ("bad-witness-root") match the transactions. */
export function checkMerkleRoots(block: Block, params: NetworkParams): void {
  if (!bytesEqual(computeTxRoot(params.magic, block.txs), block.header.txRoot)) {
    reject("bad-txnmrklroot");
  }
  if (!bytesEqual(computeWitnessRoot(params.magic, block.txs), block.header.witnessRoot)) {
    reject("bad-witness-root");
  }
}

/**
 * All block-alone rules. Throws ValidationError with the first broken rule's reason.
 *
 * @example
 * ```ts
 * import { checkBlockSanity } from "./check_block_sanity.ts";
 * import { genesisBlock } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * checkBlockSanity(genesisBlock(REGTEST), REGTEST); // does not throw
 * ```
 */
export function checkBlockSanity(block: Block, params: NetworkParams): void {
  checkHeaderSanity(block.header, params);
  if (block.txs.length === 0) reject("bad-cb-missing", "block has no transactions");
  for (const tx of block.txs) checkTxSanity(tx, params);
  checkBlockSize(block, params);
  checkCoinbasePlacement(block);
  checkCoinbaseHeight(block);
  checkNoDuplicateTxids(block, params);
  checkMerkleRoots(block, params);
}
