/**
 * Fee sizing before signing: the fee pays for the size of the signed transaction, which exists
 * only after the fee is chosen. Ed25519 signatures are always 64 bytes and keys 32, so the size
 * with placeholder signatures in place is exactly the signed size.
 *
 * @module
 */
import type { Policy } from "../primitives/policy.ts";
import { type Tx, txSize } from "../primitives/tx.ts";

/** One input's witness as it will be: its policy and how many signatures satisfy it. */
export interface WitnessShape {
  /** The policy the input reveals. */
  readonly policy: Policy;
  /** Signatures in its satisfaction (no preimages). */
  readonly signatures: number;
}

const PLACEHOLDER_SIGNATURE = new Uint8Array(64);

/** Key `i` of a placeholder satisfaction: distinct and ascending, as a canonical one must be. */
function placeholderKey(i: number): Uint8Array {
  return new Uint8Array(32).fill(i + 1);
}

/**
 * The exact size in bytes of `tx` once input `i` carries a witness of shape `witnesses[i]`
 * (whatever witnesses `tx` has now are replaced).
 *
 * @example
 * ```ts
 * import { signedTxSize } from "./fee_sizing.ts";
 * import { pk } from "../primitives/policy.ts";
 * const input = { prevout: { txid: new Uint8Array(32), vout: 0 }, sequence: 0 };
 * const tx = { version: 1, inputs: [input], outputs: [], locktime: 0, witnesses: [] };
 * const policy = pk(new Uint8Array(32).fill(1));
 * const one = signedTxSize(tx, [{ policy, signatures: 1 }]);
 * console.log(signedTxSize(tx, [{ policy, signatures: 2 }]) - one); // 96: a key and a signature
 * ```
 */
export function signedTxSize(tx: Tx, witnesses: readonly WitnessShape[]): number {
  return txSize({
    ...tx,
    witnesses: witnesses.map((w) => ({
      policy: w.policy,
      satisfaction: {
        signatures: Array.from(
          { length: w.signatures },
          (_, i) => ({ publicKey: placeholderKey(i), signature: PLACEHOLDER_SIGNATURE }),
        ),
        preimages: [],
      },
    })),
  });
}

/** `feeRatePerByte` × `sizeBytes`: the fee of a transaction of that size. */
export function feeForSize(sizeBytes: number, feeRatePerByte: bigint): bigint {
  return feeRatePerByte * BigInt(sizeBytes);
}
