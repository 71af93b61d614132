/**
 * Mining RPC methods: getmininginfo, getminingtemplate (the work a remote miner needs),
 * submitblock (block hex + checkpoint hex, or a checkpoint staged by uploadcheckpointchunk), the
 * checkpoint chunk transfer methods, and on regtest generatetoaddress, which trains the tiny
 * model for real for every block (node/miner/).
 *
 * @module
 */
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { decodeHeader, HEADER_BYTES } from "../../core/primitives/block.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { blockTemplateTxs } from "../../node/miner/block_assembly_sweeps.ts";
import { miningTemplateJson } from "../../node/miner/mining_template.ts";
import { DecodeError, RpcError, ValidationError } from "../../core/errors.ts";
import { decodeAddress } from "../../core/primitives/address.ts";
import { RpcCode } from "../error_codes.ts";
import { requiredChildImprovementPpm } from "./blockchain.ts";
import { CHECKPOINT_TRANSFER_METHODS, checkpointUploadsOf } from "./checkpoint_transfer.ts";
import { amountJson, chainWorkHex, lossJson } from "./format.ts";
import type { NodeMethod } from "./node_method.ts";
import { parseHexBytes, parseInteger } from "./params.ts";
import { submitError } from "./submit_errors.ts";

/** Most blocks one generatetoaddress call may ask for. */
export const MAX_GENERATE_BLOCKS = 1000;

/** The mining methods. */
export const MINING_METHODS: readonly NodeMethod[] = [
  {
    name: "getmininginfo",
    category: "mining",
    params: [],
    help: "Returns mining-related information: the tip's sample loss and chain work, the next " +
      "block's model configuration, the improvement its sample must show now and its reward " +
      "at that improvement.",
    run: (node) => {
      const tip = node.chainstate.tip();
      const next = nextModelConfig(node.params, tip);
      const required = requiredChildImprovementPpm(node, tip);
      return {
        blocks: tip.height,
        chain: node.params.name,
        pooledtx: node.mempool.count,
        chainwork: chainWorkHex(tip.chainWork),
        sample_loss: lossJson(tip.header.sampleLossMicroNats),
        sample_loss_micronats: tip.header.sampleLossMicroNats,
        next_height: tip.height + 1,
        next_d_model: next.dModel,
        next_layers: next.nLayers,
        next_required_improvement_ppm: required,
        next_reward_at_required: amountJson(blockReward(node.params, tip, required)),
        min_improvement_ppm: node.params.sampleMinImprovementPpm,
        sample_windows: node.params.evalSampleWindows,
        evaluator: node.evaluator.name,
        stagnation: tip.stagnation,
        warnings: [],
      };
    },
  },
  {
    name: "getminingtemplate",
    category: "mining",
    params: [],
    help: "Returns the work for the next block: the parent (hash, full header, MTP, " +
      "stagnation, minted and returned supply, chain work), the model configuration the block " +
      "must have, μ with its grace and half-life, the improvement its sample must show if " +
      "stamped now (μ_t), K and W of the sample, the reward at μ_t, the transactions to " +
      "include with their fees " +
      "(an emission-return sweep of the oldest expired outputs first, then the mempool's), " +
      "the time, and where to fetch the parent checkpoint (getcheckpointchunk).",
    result: "{ chain, height, previousblockhash, parent_header, …, transactions, checkpoint }",
    run: async (node) => {
      await node.settled();
      const tip = node.chainstate.tip();
      const txs = await blockTemplateTxs(node, tip);
      return miningTemplateJson(
        node.params,
        tip,
        txs.map((tx) => ({
          tx,
          feeResonances: node.mempool.get(txid(node.params.magic, tx))?.feeResonances ?? 0n,
        })),
        node.clock.nowSecs(),
      );
    },
  },
  {
    name: "submitblock",
    category: "mining",
    params: [
      { name: "hexdata", type: "hex", required: true, description: "The hex-encoded block" },
      {
        name: "checkpoint",
        type: "hex",
        required: false,
        description: "The hex-encoded .rnet checkpoint the header commits to (default: the " +
          "one staged with uploadcheckpointchunk)",
      },
    ],
    help: "Attempts to submit a new block with its model checkpoint (given here or staged " +
      "beforehand with uploadcheckpointchunk; -8 when neither). Returns null when it " +
      'joins the active chain, "duplicate" when already known, "inconclusive" when stored on a ' +
      "side branch; fails with -26 and the reject reason (e.g. sample-loss-mismatch, " +
      "insufficient-sample-improvement) when a rule refuses it, -22 when it does not decode.",
    run: async (node, [hexdata, checkpointHex]) => {
      const blockBytes = parseHexBytes(hexdata, "Block");
      let checkpoint;
      if (checkpointHex !== undefined) {
        checkpoint = parseHexBytes(checkpointHex, "Checkpoint");
      } else {
        let root;
        try {
          root = decodeHeader(blockBytes.subarray(0, HEADER_BYTES)).checkpointRoot;
        } catch (e) {
          throw submitError(e, "Block");
        }
        checkpoint = checkpointUploadsOf(node).take(root);
        if (!checkpoint) {
          throw new RpcError(
            RpcCode.INVALID_PARAMETER,
            `No checkpoint given and none fully uploaded for root ${toHex(root)}`,
          );
        }
      }
      try {
        const result = await node.submitBlock(blockBytes, checkpoint, "rpc");
        if (result.status === "duplicate") return "duplicate";
        // A side-branch block is stored, or not kept when the side-branch bounds are full
        // (PROTOCOL §6.6): either way it is not (yet) on the active chain.
        if (result.status === "side-branch" || result.status === "discarded") {
          return "inconclusive";
        }
        return null;
      } catch (e) {
        throw submitError(e, "Block");
      }
    },
  },
  {
    name: "generatetoaddress",
    category: "generating",
    networks: ["regtest"],
    params: [
      {
        name: "nblocks",
        type: "number",
        required: true,
        description: "How many blocks are generated",
      },
      {
        name: "address",
        type: "string",
        required: true,
        description: "The address to send the newly generated coins to",
      },
      {
        name: "maxtries",
        type: "number",
        required: false,
        description: "Ignored (kept for Core compatibility)",
      },
    ],
    help: "Mine blocks to an address (regtest only): for each block, trains the tip model " +
      "(grown to the next configuration) on the bundled sample text until its exact loss on " +
      "the block's own sample beats the parent's by μ_t, then builds, signs and submits the " +
      "block. " +
      "Needs WebGPU.",
    result: '[ "hex", … ]    (json array) hashes of blocks generated',
    run: async (node, [nblocks, address]) => {
      const n = parseInteger(nblocks, "nblocks", 0, MAX_GENERATE_BLOCKS);
      let to;
      try {
        to = decodeAddress(node.params, address as string);
      } catch (e) {
        if (e instanceof DecodeError) {
          throw new RpcError(
            RpcCode.INVALID_ADDRESS_OR_KEY,
            `Error: Invalid address: ${e.message}`,
          );
        }
        throw e;
      }
      const producer = node.blockProducer;
      if (!producer) {
        throw new RpcError(
          RpcCode.MISC_ERROR,
          "generatetoaddress needs WebGPU to train the model, and this node has no adapter " +
            "(install Mesa's Vulkan driver and set DENO_WEBGPU_BACKEND=vulkan)",
        );
      }
      return await node.serializeMining(async () => {
        const hashes: string[] = [];
        for (let i = 0; i < n && !node.stopRequested; i++) {
          try {
            hashes.push(toHex(await producer.mineBlock(node, to)));
          } catch (e) {
            if (e instanceof RpcError) throw e;
            if (e instanceof ValidationError) throw submitError(e, "Block");
            node.logger.log(`generatetoaddress failed: ${(e as Error)?.stack ?? e}`);
            throw new RpcError(RpcCode.MISC_ERROR, `Mining failed: ${(e as Error)?.message ?? e}`);
          }
        }
        return hashes;
      });
    },
  },
  ...CHECKPOINT_TRANSFER_METHODS,
];
