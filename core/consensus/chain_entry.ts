/**
 * What consensus needs to know about an already-accepted block ({@linkcode ChainEntry}) and
 * about an unspent output ({@linkcode UtxoEntry}), and the synchronous UTXO lookup the
 * transaction rules read ({@linkcode UtxoView}).
 *
 * @module
 */
import { toHex } from "../crypto/keccak.ts";
import type { BlockHeader } from "../primitives/block.ts";
import type { AddressData } from "../primitives/address.ts";
import type { OutPoint } from "../primitives/tx.ts";

/** Summary of an accepted block, enough to validate a child. */
export interface ChainEntry {
  /** Block id. */
  readonly hash: Uint8Array;
  /** The block's header. */
  readonly header: BlockHeader;
  /** Height (genesis 0). */
  readonly height: number;
  /** Median-time-past of the (up to) `medianTimeSpan` blocks ending at this one, seconds. */
  readonly mtpSecs: number;
  /** Consecutive blocks ending here whose improvement was below 2μ (genesis 0). */
  readonly stagnation: number;
  /** Cumulative resonances minted by coinbases up to and including this block. */
  readonly mintedResonances: bigint;
  /** Cumulative resonances returned to the emission pool (sweeps, unclaimed fees). */
  readonly returnedResonances: bigint;
  /** Fork-choice score: the sum of `blockWork` from genesis (0) to this block (PROTOCOL §6.3). */
  readonly chainWork: bigint;
}

/** An unspent output. */
export interface UtxoEntry {
  /** Value in resonances. */
  readonly value: bigint;
  /** Recovery kind and policy hash. */
  readonly address: AddressData;
  /** Height of the block that created it. */
  readonly height: number;
  /** Created by a coinbase (maturity applies). */
  readonly coinbase: boolean;
  /**
   * Median-time-past the creating block was validated against: the creating block's PARENT
   * `mtpSecs` (PROTOCOL §5.4). `older(s)` compares `spendParent.mtpSecs − createdMtpSecs` with s.
   */
  readonly createdMtpSecs: number;
  /**
   * Only on a pending-recovery output made by a guardian spend of a social output:
   * `policyHash(pk(owner))` of that social policy. Its spend must reveal a pending-recovery
   * policy whose owner branch hashes to this (the social-recovery covenant, PROTOCOL §5.6).
   */
  readonly pendingOwnerHash?: Uint8Array;
}

/** Synchronous UTXO lookup by {@linkcode outpointKey}. */
export interface UtxoView {
  /** The unspent output at `outpointKey`, or undefined when missing or spent. */
  get(outpointKey: string): UtxoEntry | undefined;
}

/**
 * The map key of an outpoint: txid hex, ':' and the decimal index.
 *
 * @example
 * ```ts
 * import { outpointKey } from "./chain_entry.ts";
 * console.log(outpointKey({ txid: new Uint8Array(32), vout: 1 }).endsWith(":1")); // true
 * ```
 */
export function outpointKey(op: OutPoint): string {
  return `${toHex(op.txid)}:${op.vout}`;
}

/** A UtxoView over a Map (tests, mempool overlays). */
export class MapUtxoView implements UtxoView {
  /** The entries by outpoint key. */
  readonly entries: Map<string, UtxoEntry>;
  constructor(entries: Iterable<readonly [string, UtxoEntry]> = []) {
    this.entries = new Map(entries);
  }
  /** The entry at `key`. */
  get(key: string): UtxoEntry | undefined {
    return this.entries.get(key);
  }
  /** Removes `spent` and adds `created` (the shape connectBlockTransactions returns). */
  apply(
    spent: readonly (readonly [string, UtxoEntry])[],
    created: readonly (readonly [string, UtxoEntry])[],
  ): void {
    for (const [k] of spent) this.entries.delete(k);
    for (const [k, e] of created) this.entries.set(k, e);
  }
}
