/**
 * Checkpoint transfer over RPC for remote miners: `getcheckpointchunk` serves one 1 MiB chunk
 * of a block's checkpoint with its Merkle proof (the miner verifies every chunk against the
 * header's checkpoint root as it arrives), and `uploadcheckpointchunk` stages a new checkpoint
 * chunk by chunk, each verified against the root it announces, for a later `submitblock` that
 * omits the checkpoint argument.
 *
 * @module
 */
import { chunkCount, chunkHashes, merkleProof, splitChunks } from "../../core/checkpoint/chunks.ts";
import { encodedCheckpointSize } from "../../core/checkpoint/rnet.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import { RpcCode } from "../error_codes.ts";
import type { Node } from "../../node/node.ts";
import { entryOf } from "./blockchain.ts";
import { CheckpointUploads, UploadError } from "./checkpoint_uploads.ts";
import type { NodeMethod } from "./node_method.ts";
import { parseHash, parseHexBytes, parseInteger } from "./params.ts";

const uploads = new WeakMap<Node, CheckpointUploads>();

/** The upload staging area of `node` (created on first use). */
export function checkpointUploadsOf(node: Node): CheckpointUploads {
  let staged = uploads.get(node);
  if (!staged) {
    const p = node.params;
    staged = new CheckpointUploads(
      encodedCheckpointSize({ dModel: p.maxDModel, nLayers: p.maxLayers }),
    );
    uploads.set(node, staged);
  }
  return staged;
}

/** The checkpoint transfer methods. */
export const CHECKPOINT_TRANSFER_METHODS: readonly NodeMethod[] = [
  {
    name: "getcheckpointchunk",
    category: "mining",
    params: [
      { name: "blockhash", type: "hex", required: true, description: "The block hash" },
      { name: "index", type: "number", required: true, description: "The chunk index (0-based)" },
    ],
    help: "Returns one 1 MiB chunk of a block's model checkpoint with its Merkle proof " +
      "(sibling hashes from the leaf up), to verify against the header's checkpoint root on " +
      "arrival. Fails with -5 when the block is unknown or its checkpoint was pruned.",
    result: "{ hash, height, size, root, chunks, index, hex, proof: [hex, …] }",
    run: async (node, [hash, indexParam]) => {
      const entry = entryOf(node, hash);
      const bytes = await node.chainstate.getCheckpoint(entry.hash);
      if (!bytes) {
        throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, "Checkpoint not available (pruned)");
      }
      const count = chunkCount(bytes.length);
      const index = parseInteger(indexParam, "index", 0, count - 1);
      return {
        hash: toHex(entry.hash),
        height: entry.height,
        size: bytes.length,
        root: toHex(entry.header.checkpointRoot),
        chunks: count,
        index,
        hex: toHex(splitChunks(bytes)[index]!),
        proof: merkleProof(chunkHashes(bytes), index).map(toHex),
      };
    },
  },
  {
    name: "uploadcheckpointchunk",
    category: "mining",
    params: [
      { name: "root", type: "hex", required: true, description: "The checkpoint's Merkle root" },
      { name: "size", type: "number", required: true, description: "Checkpoint size in bytes" },
      { name: "index", type: "number", required: true, description: "The chunk index (0-based)" },
      { name: "hexdata", type: "hex", required: true, description: "The chunk, hex" },
      {
        name: "proof",
        type: "array",
        required: true,
        description: "Merkle proof of the chunk (sibling hashes, hex, leaf first)",
      },
    ],
    help: "Stages one chunk of a new checkpoint for a later submitblock without its checkpoint " +
      "argument. Each chunk is checked against the root with its proof on arrival (-8 when it " +
      "does not match). At most 4 checkpoints are staged at once (the oldest is dropped).",
    result: "{ root, received, chunks, complete }",
    run: (node, [rootParam, sizeParam, indexParam, hexdata, proofParam]) => {
      const root = parseHash(rootParam, "root");
      const size = parseInteger(sizeParam, "size", 1, Number.MAX_SAFE_INTEGER);
      const index = parseInteger(indexParam, "index", 0, Number.MAX_SAFE_INTEGER);
      const chunk = parseHexBytes(hexdata, "Chunk");
      const proof = (proofParam as unknown[]).map((h, i) => parseHash(h, `proof[${i}]`));
      try {
        const progress = checkpointUploadsOf(node).add(root, size, index, chunk, proof);
        return { root: toHex(root), ...progress };
      } catch (e) {
        if (e instanceof UploadError) throw new RpcError(RpcCode.INVALID_PARAMETER, e.message);
        throw e;
      }
    },
  },
];
