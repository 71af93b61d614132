/**
 * Inventory vectors for `inv`, `getdata` and `notfound`: `type u8 ‖ hash 32`, at most
 * {@link MAX_INV_ITEMS} per message. For `ckpt` the hash is the block id whose checkpoint is
 * meant (chunks are then fetched with `getckpt`); `corpus` appears only in `notfound`, naming the
 * corpus root of a `getcorpus` the peer cannot answer.
 *
 * @module
 */
import { DecodeError } from "../../core/errors.ts";
import type { ByteReader } from "../../core/encoding/byte_reader.ts";
import type { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { MAX_INV_ITEMS } from "./limits.ts";

/** Inventory item types. */
export const InvType = Object.freeze({ block: 1, tx: 2, ckpt: 3, corpus: 4 } as const);

/** One of {@link InvType}'s values. */
export type InvTypeValue = typeof InvType[keyof typeof InvType];

/** An inventory item. */
export interface InvItem {
  /** What the hash names. */
  readonly type: InvTypeValue;
  /** Block id, txid, for `ckpt` the block id, for `corpus` the corpus Merkle root. */
  readonly hash: Uint8Array;
}

function isInvType(type: number): type is InvTypeValue {
  return type >= 1 && type <= 4 && Number.isInteger(type);
}

/** Encoded size of one item. */
export const INV_ITEM_BYTES = 33;

/** Appends CompactSize(count) ‖ items. */
export function writeInvItems(w: ByteWriter, items: readonly InvItem[]): void {
  if (items.length > MAX_INV_ITEMS) {
    throw new RangeError(`${items.length} inventory items exceed ${MAX_INV_ITEMS}`);
  }
  w.writeCompactSize(items.length);
  for (const item of items) {
    if (!isInvType(item.type)) {
      throw new RangeError(`Unknown inventory type ${item.type}`);
    }
    if (item.hash.length !== 32) throw new RangeError("Inventory hash must be 32 bytes");
    w.writeU8(item.type).writeBytes(item.hash);
  }
}

/** Reads CompactSize(count ≤ 50,000) ‖ items; an unknown type throws DecodeError. */
export function readInvItems(r: ByteReader): InvItem[] {
  const n = r.readCount(MAX_INV_ITEMS, INV_ITEM_BYTES);
  const out: InvItem[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const type = r.readU8();
    if (!isInvType(type)) {
      throw new DecodeError(`Unknown inventory type ${type} at offset ${at}`);
    }
    out.push({ type, hash: r.readBytes(32) });
  }
  return out;
}
