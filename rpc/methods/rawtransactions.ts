/**
 * Raw transaction RPC methods: getrawtransaction, decoderawtransaction, sendrawtransaction.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { DecodeError, RpcError } from "../../core/errors.ts";
import { decodeTx, encodeTx, type Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { RpcCode } from "../error_codes.ts";
import type { Node } from "../../node/node.ts";
import { entryOf } from "./blockchain.ts";
import { txJson } from "./format.ts";
import type { NodeMethod } from "./node_method.ts";
import { parseHash, parseHexBytes, parseVerbosity } from "./params.ts";
import { submitError } from "./submit_errors.ts";

function decodeTxParam(node: Node, hex: unknown): Tx {
  const bytes = parseHexBytes(hex, "TX");
  try {
    return decodeTx(bytes, node.params.maxTxBytes);
  } catch (e) {
    if (e instanceof DecodeError) {
      throw new RpcError(RpcCode.DESERIALIZATION_ERROR, `TX decode failed: ${e.message}`);
    }
    throw e;
  }
}

/** The raw transaction methods. */
export const RAW_TRANSACTION_METHODS: readonly NodeMethod[] = [
  {
    name: "getrawtransaction",
    category: "rawtransactions",
    params: [
      { name: "txid", type: "hex", required: true, description: "The transaction id" },
      {
        name: "verbose",
        type: "any",
        required: false,
        description: "false/0 for hex, true/1 for a JSON object",
        defaultHint: "false",
      },
      {
        name: "blockhash",
        type: "hex",
        required: false,
        description: "The block in which to look for the transaction",
      },
    ],
    help: "Returns a transaction from the mempool or the active chain (the node indexes every " +
      "active-chain transaction), as hex or as a JSON object.",
    run: async (node, [txidParam, verboseParam, blockhashParam]) => {
      const id = parseHash(txidParam, "txid");
      const verbose = parseVerbosity(verboseParam, 0, 2) > 0;
      let tx: Tx | undefined;
      let blockHash: Uint8Array | undefined;
      if (blockhashParam !== undefined) {
        const entry = entryOf(node, blockhashParam, "blockhash");
        const block = await node.chainstate.getBlock(entry.hash);
        tx = block?.txs.find((t) => toHex(txid(node.params.magic, t)) === toHex(id));
        if (!tx) {
          throw new RpcError(
            RpcCode.INVALID_ADDRESS_OR_KEY,
            "No such transaction found in the provided block",
          );
        }
        blockHash = entry.hash;
      } else {
        const found = await node.findTx(id);
        if (!found) {
          throw new RpcError(
            RpcCode.INVALID_ADDRESS_OR_KEY,
            "No such mempool or blockchain transaction",
          );
        }
        tx = found.tx;
        blockHash = found.blockHash;
      }
      if (!verbose) return toHex(encodeTx(tx));
      const result: Record<string, unknown> = {
        ...txJson(node.params, tx),
        hex: toHex(encodeTx(tx)),
      };
      if (blockHash) {
        const entry = node.chainstate.getEntry(blockHash)!;
        const active = node.chainstate.isActive(blockHash);
        result.blockhash = toHex(blockHash);
        result.confirmations = active ? node.chainstate.tip().height - entry.height + 1 : 0;
        result.time = entry.header.timestampSecs;
        result.blocktime = entry.header.timestampSecs;
      }
      return result;
    },
  },
  {
    name: "decoderawtransaction",
    category: "rawtransactions",
    params: [{
      name: "hexstring",
      type: "hex",
      required: true,
      description: "The transaction hex string",
    }],
    help: "Returns a JSON object representing the serialized, hex-encoded transaction.",
    run: (node, [hex]) => txJson(node.params, decodeTxParam(node, hex)),
  },
  {
    name: "sendrawtransaction",
    category: "rawtransactions",
    params: [{
      name: "hexstring",
      type: "hex",
      required: true,
      description: "The hex string of the signed transaction",
    }],
    help: "Submits a signed transaction to the mempool; returns its txid. Fails with -26 and " +
      "the reject reason when a rule refuses it, -25 when inputs are missing or spent, -27 " +
      "when it is already in the chain.",
    run: async (node, [hex]) => {
      const tx = decodeTxParam(node, hex);
      const id = txid(node.params.magic, tx);
      if (node.mempool.has(id)) {
        // Sent again (a wallet's rebroadcast): announce it again until a peer holds it.
        node.unbroadcast.add(id);
        return toHex(id);
      }
      if (await node.txBlock(id)) {
        throw new RpcError(RpcCode.VERIFY_ALREADY_IN_CHAIN, "Transaction already in block chain");
      }
      try {
        await node.submitTransaction(tx);
      } catch (e) {
        throw submitError(e, "TX");
      }
      return toHex(id);
    },
  },
];
