/**
 * Per-message resource caps (PROTOCOL §8.3). Bitcoin's values where one exists
 * (`MAX_HEADERS_RESULTS`, `MAX_INV_SZ`, locator and `addr` sizes, user agent).
 *
 * @module
 */
import { CHUNK_BYTES } from "../../core/checkpoint/chunks.ts";

/** Most `addr` entries in one message. */
export const MAX_ADDR_ENTRIES = 1000;
/** Most items in one `inv`, `getdata` or `notfound`. */
export const MAX_INV_ITEMS = 50_000;
/** Most hashes in a `getheaders` locator. */
export const MAX_LOCATOR_HASHES = 101;
/** Most headers in one `headers` reply; fewer means "that is my tip". */
export const MAX_HEADERS_RESULTS = 2000;
/** Longest user agent in `version`, bytes of UTF-8. */
export const MAX_USER_AGENT_BYTES = 256;
/** Largest checkpoint chunk in `ckptchunk` (the consensus chunk size, 1 MiB). */
export const MAX_CHUNK_BYTES = CHUNK_BYTES;
/**
 * Most sibling hashes in a chunk Merkle proof: a checkpoint has fewer than 2^32 chunks (the
 * root commits to a u32 count), so a path has at most 32 levels.
 */
export const MAX_CHUNK_PROOF_HASHES = 32;
/** Largest `ln_*` payload handed over undecoded (the 4 MiB frame cap less the id byte). */
export const MAX_LN_PAYLOAD_BYTES = 4 * 1024 * 1024 - 1;
