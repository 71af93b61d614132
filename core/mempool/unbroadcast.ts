/**
 * The txids this node originated (RPC `sendrawtransaction`, the wallet, `mempool.dat` at start)
 * that no peer is known to hold yet. The P2P relay re-announces them periodically until a peer
 * announces one back (it validated and accepted it), and forgets those that left the mempool.
 * A first announcement can be lost: no peer was connected, or a peer still syncing refused it
 * for inputs it did not know yet.
 *
 * @module
 */
import { toHex } from "../crypto/keccak.ts";

/** Bitcoin Core's unbroadcast set: local transactions awaiting proof that a peer has them. */
export class UnbroadcastSet {
  readonly #ids = new Map<string, Uint8Array>();

  /** Adds a txid this node originated. */
  add(txid: Uint8Array): void {
    this.#ids.set(toHex(txid), txid.slice());
  }

  /** Removes a txid (a peer holds it, or it left the mempool); true when it was present. */
  delete(txid: Uint8Array): boolean {
    return this.#ids.delete(toHex(txid));
  }

  /** Whether the txid is awaiting a peer. */
  has(txid: Uint8Array): boolean {
    return this.#ids.has(toHex(txid));
  }

  /** Number of txids awaiting a peer. */
  get size(): number {
    return this.#ids.size;
  }

  /** The txids, oldest first. */
  ids(): Uint8Array[] {
    return [...this.#ids.values()];
  }

  /** Drops every txid for which `keep` is false; returns how many were dropped. */
  retain(keep: (txid: Uint8Array) => boolean): number {
    let dropped = 0;
    for (const [key, id] of this.#ids) {
      if (!keep(id)) {
        this.#ids.delete(key);
        dropped++;
      }
    }
    return dropped;
  }
}
