/**
 * Blockchain RPC methods: getblockchaininfo, getblockcount, getbestblockhash, getblockhash,
 * getchaintips, getblockheader, getblock, gettxout, getmodelinfo, getcheckpoint.
 *
 * @module
 */
import { BlockStatus } from "../../core/chain/records.ts";
import { chunkCount, splitChunks } from "../../core/checkpoint/chunks.ts";
import { paramCount } from "../../core/checkpoint/model_config.ts";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { childRequiredImprovementPpm } from "../../core/consensus/paired_improvement.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import { encodeBlock } from "../../core/primitives/block.ts";
import { RpcCode } from "../error_codes.ts";
import type { Node } from "../../node/node.ts";
import {
  addressJson,
  amountJson,
  blockJson,
  chainWorkHex,
  headerHex,
  headerJson,
  lossJson,
} from "./format.ts";
import type { NodeMethod } from "./node_method.ts";
import { parseHash, parseInteger, parseVerbosity } from "./params.ts";

/** The entry of `hashParam`, or −5 "Block not found". */
export function entryOf(node: Node, hashParam: unknown, name = "blockhash"): ChainEntry {
  const entry = node.chainstate.getEntry(parseHash(hashParam, name));
  if (!entry) throw new RpcError(RpcCode.INVALID_ADDRESS_OR_KEY, "Block not found");
  return entry;
}

async function dirBytes(path: string): Promise<number> {
  let total = 0;
  try {
    for await (const e of Deno.readDir(path)) {
      const p = `${path}/${e.name}`;
      if (e.isDirectory) total += await dirBytes(p);
      else if (e.isFile) total += (await Deno.stat(p)).size;
    }
  } catch {
    // missing directory: 0
  }
  return total;
}

/**
 * μ_t (ppm) a child of `entry` stamped now must show on its sample (PROTOCOL §5.9): the full μ
 * within the grace after `entry`'s time, then halving.
 */
export function requiredChildImprovementPpm(node: Node, entry: ChainEntry): number {
  return childRequiredImprovementPpm(node.params, entry, node.clock.nowSecs());
}

/** Core's DEFAULT_MAX_TIP_AGE: a tip older than this means the node is still catching up. */
export const MAX_TIP_AGE_SECS = 24 * 60 * 60;

/**
 * Core's `initialblockdownload`: true while the tip is older than a day (a fresh node, or one
 * that has no peers to learn newer blocks from), false once it has a recent tip.
 */
export function isInitialBlockDownload(node: Node): boolean {
  return node.chainstate.tip().header.timestampSecs < node.clock.nowSecs() - MAX_TIP_AGE_SECS;
}

const blockhashParam = {
  name: "blockhash",
  type: "hex" as const,
  required: true,
  description: "The block hash",
};

/** The blockchain methods. */
export const BLOCKCHAIN_METHODS: readonly NodeMethod[] = [
  {
    name: "getblockchaininfo",
    category: "blockchain",
    params: [],
    help: "Returns an object containing various state info regarding blockchain processing.",
    result:
      "{ chain, blocks, headers, bestblockhash, time, mediantime, chainwork, sample_loss, d_model, " +
      "layers, unevaluated_blocks (active blocks accepted without their checkpoint, which " +
      "every peer had pruned: never evaluated here), … }",
    run: async (node) => {
      const tip = node.chainstate.tip();
      const size = await dirBytes(node.datadir + "/chainstate") +
        await dirBytes(node.datadir + "/checkpoints");
      return {
        chain: node.params.name,
        blocks: tip.height,
        headers: tip.height,
        bestblockhash: toHex(tip.hash),
        time: tip.header.timestampSecs,
        mediantime: tip.mtpSecs,
        verificationprogress: 1,
        initialblockdownload: isInitialBlockDownload(node),
        size_on_disk: size,
        pruned: false,
        unevaluated_blocks: node.chainstate.unevaluatedBlocks(),
        chainwork: chainWorkHex(tip.chainWork),
        sample_loss: lossJson(tip.header.sampleLossMicroNats),
        sample_loss_micronats: tip.header.sampleLossMicroNats,
        d_model: tip.header.dModel,
        layers: tip.header.nLayers,
        minted: amountJson(tip.mintedResonances),
        returned: amountJson(tip.returnedResonances),
        circulating: amountJson(tip.mintedResonances - tip.returnedResonances),
        warnings: [],
      };
    },
  },
  {
    name: "getchaintips",
    category: "blockchain",
    params: [],
    help: "Return information about all known tips in the block tree, including the main " +
      "chain as well as orphaned branches.",
    result: "[{ height, hash, branchlen, status }]  status: active, valid-fork, " +
      "valid-headers (stored, never evaluated), invalid",
    run: (node) =>
      node.chainstate.chainTips().map((t) => ({
        height: t.entry.height,
        hash: toHex(t.entry.hash),
        branchlen: t.branchLength,
        status: t.status === "unevaluated" ? "valid-headers" : t.status,
      })),
  },
  {
    name: "getblockcount",
    category: "blockchain",
    params: [],
    help: "Returns the height of the most-work (lowest-loss) fully-validated chain.",
    result: "n    (numeric) The current block count",
    run: (node) => node.chainstate.tip().height,
  },
  {
    name: "getbestblockhash",
    category: "blockchain",
    params: [],
    help: "Returns the hash of the best (tip) block in the active chain.",
    result: '"hex"    (string) the block hash, hex-encoded',
    run: (node) => toHex(node.chainstate.tip().hash),
  },
  {
    name: "getblockhash",
    category: "blockchain",
    params: [{ name: "height", type: "number", required: true, description: "The height index" }],
    help: "Returns hash of block in best-block-chain at height provided.",
    result: '"hex"    (string) The block hash',
    run: (node, [height]) => {
      const h = parseInteger(
        height,
        "height",
        0,
        node.chainstate.tip().height,
        "Block height out of range",
      );
      return toHex(node.chainstate.getEntryByHeight(h)!.hash);
    },
  },
  {
    name: "getblockheader",
    category: "blockchain",
    params: [
      blockhashParam,
      {
        name: "verbose",
        type: "boolean",
        required: false,
        description: "true for a json object, false for the hex-encoded header",
        defaultHint: "true",
      },
    ],
    help: "If verbose is false, returns the serialized 260-byte header as hex.\n" +
      "If verbose is true, returns an Object with information about the block header.",
    run: (node, [hash, verbose]) => {
      const entry = entryOf(node, hash);
      return verbose === false ? headerHex(entry) : headerJson(node, entry);
    },
  },
  {
    name: "getblock",
    category: "blockchain",
    params: [
      blockhashParam,
      {
        name: "verbosity",
        type: "any",
        required: false,
        description: "0 for hex-encoded data, 1 for a JSON object, 2 for JSON with tx data",
        defaultHint: "1",
      },
    ],
    help: "Returns a block: hex (verbosity 0), a JSON object with txids (1), or with decoded " +
      "transactions (2). The checkpoint is not part of the block: see getcheckpoint.",
    run: async (node, [hash, verbosityParam]) => {
      const verbosity = parseVerbosity(verbosityParam, 1, 2);
      const entry = entryOf(node, hash);
      const block = await node.chainstate.getBlock(entry.hash);
      if (!block) throw new RpcError(RpcCode.MISC_ERROR, "Block not available");
      if (verbosity === 0) return toHex(encodeBlock(block));
      return blockJson(node, entry, block, verbosity as 1 | 2);
    },
  },
  {
    name: "gettxout",
    category: "blockchain",
    params: [
      { name: "txid", type: "hex", required: true, description: "The transaction id" },
      { name: "n", type: "number", required: true, description: "vout number" },
      {
        name: "include_mempool",
        type: "boolean",
        required: false,
        description: "Whether to include the mempool (a spend there hides the output)",
        defaultHint: "true",
      },
    ],
    help: "Returns details about an unspent transaction output, or null.",
    run: async (node, [txidParam, nParam, includeMempool]) => {
      const id = parseHash(txidParam, "txid");
      const vout = parseInteger(nParam, "n", 0, 0xffff_ffff);
      const op = { txid: id, vout };
      const tip = node.chainstate.tip();
      if (includeMempool !== false) {
        if (node.mempool.spenderOf(op) !== undefined) return null;
        const pooled = node.mempool.get(id);
        const out = pooled?.tx.outputs[vout];
        if (pooled && out) {
          return {
            bestblock: toHex(tip.hash),
            confirmations: 0,
            value: amountJson(out.value),
            value_resonances: out.value,
            ...addressJson(node.params, out.address),
            coinbase: false,
          };
        }
      }
      const utxo = await node.chainstate.getUtxo(op);
      if (!utxo) return null;
      return {
        bestblock: toHex(tip.hash),
        confirmations: tip.height - utxo.height + 1,
        value: amountJson(utxo.value),
        value_resonances: utxo.value,
        ...addressJson(node.params, utxo.address),
        coinbase: utxo.coinbase,
        height: utxo.height,
      };
    },
  },
  {
    name: "getmodelinfo",
    category: "blockchain",
    params: [{
      name: "blockhash",
      type: "hex",
      required: false,
      description: "The block (default the tip)",
      defaultHint: "tip",
    }],
    help: "Returns the model committed by a block: configuration, parameter count, checkpoint " +
      "size and root, its exact loss on its own sample, and the configuration and improvement " +
      "its child needs.",
    run: async (node, [hash]) => {
      const entry = hash === undefined ? node.chainstate.tip() : entryOf(node, hash);
      const h = entry.header;
      const next = nextModelConfig(node.params, entry);
      const available = (await node.chainstate.getCheckpoint(entry.hash)) !== undefined;
      return {
        hash: toHex(entry.hash),
        height: entry.height,
        d_model: h.dModel,
        layers: h.nLayers,
        parameters: paramCount({ dModel: h.dModel, nLayers: h.nLayers }),
        checkpoint_size: h.checkpointSize,
        checkpoint_root: toHex(h.checkpointRoot),
        checkpoint_chunks: chunkCount(h.checkpointSize),
        checkpoint_available: available,
        sample_loss: lossJson(h.sampleLossMicroNats),
        sample_loss_micronats: h.sampleLossMicroNats,
        parent_sample_loss: lossJson(h.parentSampleLossMicroNats),
        parent_sample_loss_micronats: h.parentSampleLossMicroNats,
        sample_windows: node.params.evalSampleWindows,
        validation_window: node.params.validationWindowBytes,
        evaluator: node.evaluator.name,
        next_d_model: next.dModel,
        next_layers: next.nLayers,
        next_required_improvement_ppm: requiredChildImprovementPpm(node, entry),
      };
    },
  },
  {
    name: "getcheckpoint",
    category: "blockchain",
    params: [
      blockhashParam,
      {
        name: "chunk",
        type: "number",
        required: false,
        description: "Return only this 1 MiB chunk (default: the whole checkpoint)",
      },
    ],
    help: "Returns a block's model checkpoint (.rnet bytes) as hex, whole or one chunk. " +
      "Fails with -5 when the block is unknown or its checkpoint was pruned, and with -32001 " +
      "when the whole checkpoint's hex would pass the reply size limit (fetch it by chunk).",
    run: async (node, [hash, chunkParam], context) => {
      const entry = entryOf(node, hash);
      // Refused before reading: a whole checkpoint can be far larger than any reply may be.
      const hexBytes = 2 * entry.header.checkpointSize;
      const bytesLeft = context.maxReplyBytes ?? Infinity;
      if (chunkParam === undefined && hexBytes > bytesLeft) {
        throw new RpcError(
          RpcCode.REPLY_TOO_LARGE,
          `Checkpoint hex of ${hexBytes} bytes is over the ${bytesLeft} bytes left for this ` +
            "reply; fetch it by chunk",
        );
      }
      const bytes = await node.chainstate.getCheckpoint(entry.hash);
      if (!bytes) {
        const never = (node.chainstate.getBlockStatus(entry.hash)?.status ?? 0) &
          BlockStatus.assumedPruned;
        throw new RpcError(
          RpcCode.INVALID_ADDRESS_OR_KEY,
          never
            ? "Checkpoint not available (pruned: synced without it, the block was not evaluated)"
            : "Checkpoint not available (pruned)",
        );
      }
      const base = {
        hash: toHex(entry.hash),
        height: entry.height,
        size: bytes.length,
        root: toHex(entry.header.checkpointRoot),
        chunks: chunkCount(bytes.length),
      };
      if (chunkParam === undefined) return { ...base, hex: toHex(bytes) };
      const chunks = splitChunks(bytes);
      const i = parseInteger(chunkParam, "chunk", 0, chunks.length - 1);
      return { ...base, chunk: i, hex: toHex(chunks[i]!) };
    },
  },
];
