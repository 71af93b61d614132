/**
 * Transaction hashes: txid, wtxid and the signature hash (sighash).
 *
 * For PROTOCOL.md (tags are `taggedHash` tags, so each includes the network magic):
 * - `txid  = taggedHash("rnt/txid",  magic, encodeTx(tx, { witness: false }))`
 * - `wtxid = taggedHash("rnt/wtxid", magic, encodeTx(tx))`
 * - `txDigest = taggedHash("rnt/sighash-tx", magic, encodeTx(tx, { witness: false }) ‖
 *    spent₀ ‖ … ‖ spentₙ₋₁)`, `spentᵢ` = value u64 ‖ address payload (34) of the output input i
 *    spends;
 * - `sighash(i) = taggedHash("rnt/sighash", magic, txDigest ‖ u32le(i))`.
 * One signature mode (all inputs, all outputs). Committing to every spent value and address
 * (as BIP341 does) lets an offline signer trust the fee and the kinds it spends; hashing the
 * transaction once keeps the cost linear in its size however many inputs it has.
 *
 * @module
 */
import { ByteWriter } from "../encoding/byte_writer.ts";
import { taggedHash } from "../crypto/tagged_hash.ts";
import { writeAddressData } from "./address.ts";
import { encodeTx, type Tx, type TxOut } from "./tx.ts";

/**
 * The txid (witnesses excluded).
 *
 * @example
 * ```ts
 * import { txid } from "./tx_hash.ts";
 * import { NULL_OUTPOINT } from "./tx.ts";
 * const tx = { version: 1, locktime: 0, witnesses: [], inputs: [{ prevout: NULL_OUTPOINT, sequence: 0 }],
 *   outputs: [{ value: 1n, address: { kind: 1, hash: new Uint8Array(32) } }] };
 * console.log(txid(new Uint8Array([1, 2, 3, 4]), tx).length); // 32
 * ```
 */
export function txid(magic: Uint8Array, tx: Tx): Uint8Array {
  return taggedHash("rnt/txid", magic, encodeTx(tx, { witness: false }));
}

/** The wtxid (witnesses included). */
export function wtxid(magic: Uint8Array, tx: Tx): Uint8Array {
  return taggedHash("rnt/wtxid", magic, encodeTx(tx));
}

/**
 * The sighash of every input; `spent[i]` is the output input i spends. RangeError when
 * `spent.length` differs from the input count.
 */
export function sighashes(magic: Uint8Array, tx: Tx, spent: readonly TxOut[]): Uint8Array[] {
  if (spent.length !== tx.inputs.length) {
    throw new RangeError(`Need ${tx.inputs.length} spent outputs, got ${spent.length}`);
  }
  const w = new ByteWriter(512).writeBytes(encodeTx(tx, { witness: false }));
  for (const out of spent) {
    w.writeU64(out.value);
    writeAddressData(w, out.address);
  }
  const digest = taggedHash("rnt/sighash-tx", magic, w.finish());
  return tx.inputs.map((_, i) => {
    const index = new Uint8Array(4);
    new DataView(index.buffer).setUint32(0, i, true);
    return taggedHash("rnt/sighash", magic, digest, index);
  });
}

/** The sighash of input `inputIndex` (see {@linkcode sighashes}). */
export function sighash(
  magic: Uint8Array,
  tx: Tx,
  inputIndex: number,
  spent: readonly TxOut[],
): Uint8Array {
  if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= tx.inputs.length) {
    throw new RangeError(`Input index out of range: ${inputIndex}`);
  }
  return sighashes(magic, tx, spent)[inputIndex]!;
}
