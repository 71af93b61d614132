/**
 * Block locators (newest first: the last 10 blocks, then exponentially sparser, then genesis)
 * and the answer to `getheaders`: the active chain after the first locator hash it holds.
 *
 * @module
 */
import type { Chainstate } from "../../core/chain/chainstate.ts";
import type { BlockHeader } from "../../core/primitives/block.ts";
import { MAX_HEADERS_RESULTS, MAX_LOCATOR_HASHES } from "../wire/mod.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";

/** The locator of the active chain (at most 101 hashes, genesis last). */
export function buildLocator(chainstate: Chainstate): Uint8Array[] {
  const out: Uint8Array[] = [];
  let height = chainstate.height();
  let step = 1;
  while (height > 0 && out.length < MAX_LOCATOR_HASHES - 1) {
    out.push(chainstate.getEntryByHeight(height)!.hash);
    if (out.length >= 10) step *= 2;
    height -= step;
  }
  out.push(chainstate.getEntryByHeight(0)!.hash);
  return out;
}

/**
 * The headers a `getheaders` asks for: active-chain headers after the first locator hash on the
 * active chain (after genesis when none is), up to `stopHash` or 2000 headers.
 */
export function headersAfter(
  chainstate: Chainstate,
  locator: readonly Uint8Array[],
  stopHash: Uint8Array,
): BlockHeader[] {
  let start = 1;
  for (const hash of locator) {
    if (chainstate.isActive(hash)) {
      start = chainstate.getEntry(hash)!.height + 1;
      break;
    }
  }
  const out: BlockHeader[] = [];
  const tip = chainstate.height();
  for (let h = start; h <= tip && out.length < MAX_HEADERS_RESULTS; h++) {
    const entry = chainstate.getEntryByHeight(h)!;
    out.push(entry.header);
    if (bytesEqual(entry.hash, stopHash)) break;
  }
  return out;
}
