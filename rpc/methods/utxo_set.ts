/**
 * `gettxoutsetinfo`: statistics and a commitment of the tip's UTXO set (Bitcoin Core's method,
 * rnt's own hash), for audits and crash tests that compare a node's chainstate with a replay.
 *
 * `hash_serialized` is keccak256d over every unspent output in store key order (txid bytes,
 * then vout ascending), each serialized as `txid (32) ‖ vout u32le ‖ UtxoEntry` with the
 * UtxoEntry encoding of the chain store (PROTOCOL.md §6.1): value u64 ‖ address 34 ‖ height u32 ‖
 * flags u8 ‖ createdMtpSecs u64 [‖ pendingOwnerHash 32].
 *
 * @module
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { UtxoEntry } from "../../core/consensus/chain_entry.ts";
import { encodeUtxoEntry } from "../../core/chain/records.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import type { OutPoint } from "../../core/primitives/tx.ts";
import { RpcCode } from "../error_codes.ts";
import { amountJson } from "./format.ts";
import type { NodeMethod } from "./node_method.ts";

/** Counts, total value and commitment of a UTXO set. */
export interface UtxoSetStats {
  /** Unspent outputs. */
  readonly txouts: number;
  /** Distinct transactions with at least one unspent output. */
  readonly transactions: number;
  /** Sum of the outputs' values. */
  readonly totalResonances: bigint;
  /** keccak256d of the serialized set (see the module doc). */
  readonly hashSerialized: Uint8Array;
}

/** -1, 0 or 1 as `a` sorts before, with or after `b` in store key order. */
export function compareOutPoints(a: OutPoint, b: OutPoint): number {
  for (let i = 0; i < 32; i++) {
    const d = a.txid[i]! - b.txid[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a.vout === b.vout ? 0 : a.vout < b.vout ? -1 : 1;
}

/**
 * Accumulates {@linkcode UtxoSetStats} over outputs given in store key order (as
 * `Chainstate.utxos()` yields them); RangeError when an outpoint is not above the previous one.
 *
 * @example
 * ```ts
 * import { UtxoSetHasher } from "./utxo_set.ts";
 * console.log(new UtxoSetHasher().finish().txouts); // 0
 * ```
 */
export class UtxoSetHasher {
  readonly #inner = keccak_256.create();
  #last: OutPoint | undefined;
  #txouts = 0;
  #transactions = 0;
  #total = 0n;

  /** Adds one unspent output. */
  add(op: OutPoint, entry: UtxoEntry): this {
    if (op.txid.length !== 32) throw new RangeError(`Outpoint txid must be 32 bytes`);
    const order = this.#last ? compareOutPoints(this.#last, op) : -1;
    if (order >= 0) throw new RangeError("UTXO set outpoints must be added in ascending order");
    if (!this.#last || this.#last.txid.some((b, i) => b !== op.txid[i])) this.#transactions++;
    const prefix = new Uint8Array(36);
    prefix.set(op.txid);
    new DataView(prefix.buffer).setUint32(32, op.vout, true);
    this.#inner.update(prefix).update(encodeUtxoEntry(entry));
    this.#txouts++;
    this.#total += entry.value;
    this.#last = op;
    return this;
  }

  /** The statistics of everything added (call once). */
  finish(): UtxoSetStats {
    return {
      txouts: this.#txouts,
      transactions: this.#transactions,
      totalResonances: this.#total,
      hashSerialized: keccak_256(this.#inner.digest()),
    };
  }
}

/** The statistics of `coins` in any order (sorted here; for small sets and tests). */
export function utxoSetStats(coins: Iterable<readonly [OutPoint, UtxoEntry]>): UtxoSetStats {
  const sorted = [...coins].sort(([a], [b]) => compareOutPoints(a, b));
  const hasher = new UtxoSetHasher();
  for (const [op, entry] of sorted) hasher.add(op, entry);
  return hasher.finish();
}

/** Attempts at a read during which the tip did not move, before giving up. */
const MAX_ATTEMPTS = 5;

/** The UTXO-set methods. */
export const UTXO_SET_METHODS: readonly NodeMethod[] = [
  {
    name: "gettxoutsetinfo",
    category: "blockchain",
    params: [],
    help: "Returns statistics about the unspent transaction output set of the tip: height, " +
      "bestblock, transactions, txouts, hash_serialized (keccak256d of the outputs in key " +
      "order), total_amount, and the tip's supply totals minted, returned, circulating.",
    result: "{ height, bestblock, transactions, txouts, hash_serialized, total_amount, " +
      "total_amount_resonances, minted, returned, circulating }",
    run: async (node) => {
      // The coin iterator reads one LevelDB snapshot; the tip is read before and after it, and
      // the walk is repeated when a block was connected or disconnected meanwhile.
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const tip = node.chainstate.tip();
        const hasher = new UtxoSetHasher();
        for await (const [op, entry] of node.chainstate.utxos()) hasher.add(op, entry);
        if (node.chainstate.tip() !== tip) continue;
        const stats = hasher.finish();
        return {
          height: tip.height,
          bestblock: toHex(tip.hash),
          transactions: stats.transactions,
          txouts: stats.txouts,
          hash_serialized: toHex(stats.hashSerialized),
          total_amount: amountJson(stats.totalResonances),
          total_amount_resonances: stats.totalResonances,
          minted: amountJson(tip.mintedResonances),
          returned: amountJson(tip.returnedResonances),
          circulating: amountJson(tip.mintedResonances - tip.returnedResonances),
        };
      }
      throw new RpcError(RpcCode.MISC_ERROR, "The tip kept changing while reading the UTXO set");
    },
  },
];
