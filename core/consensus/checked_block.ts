/**
 * Proof that a block passed the rules it must satisfy alone, so each is run once per block
 * however many layers the block passes through (the sync on arrival, then the chainstate).
 * {@linkcode checkBlock} is the only way to get a {@linkcode CheckedBlock}: it runs
 * {@linkcode checkBlockSanity} and the miner signature check and remembers, per block object,
 * the network it passed for; asked again about the same object it returns at once.
 * {@linkcode checkSignedHeader} does the same for a header alone (the sync checks headers
 * before their blocks arrive), and {@linkcode checkBlock} does not verify that header's
 * signature again.
 *
 * The memory is a WeakMap on the object: nothing a caller can set, and it goes with the
 * object. Blocks and headers are treated as immutable once decoded; a caller that mutated a
 * checked object would have to check a fresh copy.
 *
 * @module
 */
import type { Block, BlockHeader } from "../primitives/block.ts";
import { checkBlockSanity } from "./check_block_sanity.ts";
import { checkMinerSignature } from "./check_header_context.ts";
import type { NetworkParams } from "./params.ts";

declare const checked: unique symbol;

/** A block that passed {@linkcode checkBlockSanity} and the miner signature check. */
export type CheckedBlock = Block & { readonly [checked]: true };

const checkedBlocks = new WeakMap<Block, NetworkParams>();
const signedHeaders = new WeakMap<BlockHeader, NetworkParams>();

/**
 * The header's miner signature verifies ("bad-blk-sig"); remembered for this header object
 * so a block carrying it does not verify it again.
 */
export function checkSignedHeader(header: BlockHeader, params: NetworkParams): void {
  if (signedHeaders.get(header) === params) return;
  checkMinerSignature(header, params);
  signedHeaders.set(header, params);
}

/**
 * Runs the rules of a block alone (PROTOCOL §5.5 step 1, then the miner signature of step 2)
 * unless this block object already passed them for `params`. Throws ValidationError with the
 * first broken rule's reason.
 *
 * @example
 * ```ts
 * import { checkBlock } from "./checked_block.ts";
 * import { genesisBlock } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * import { ValidationError } from "../errors.ts";
 * // Genesis is fixed by the params, never signed by a miner: as a block of its own it fails
 * // the signature rule, with its reason.
 * try {
 *   checkBlock(genesisBlock(REGTEST), REGTEST);
 * } catch (e) {
 *   console.log(e instanceof ValidationError && e.reason); // bad-blk-sig
 * }
 * ```
 */
export function checkBlock(block: Block, params: NetworkParams): CheckedBlock {
  if (checkedBlocks.get(block) !== params) {
    checkBlockSanity(block, params);
    checkSignedHeader(block.header, params);
    checkedBlocks.set(block, params);
  }
  return block as CheckedBlock;
}

/** Whether `block` (this object) already passed {@linkcode checkBlock} for `params`. */
export function isCheckedBlock(block: Block, params: NetworkParams): block is CheckedBlock {
  return checkedBlocks.get(block) === params;
}
