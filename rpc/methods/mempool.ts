/**
 * Mempool RPC methods: getmempoolinfo, getrawmempool, savemempool.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { mempoolFilePath, saveMempool } from "../../node/mempool_store.ts";
import { amountJson } from "./format.ts";
import type { NodeMethod } from "./node_method.ts";

/** Default mempool cap (the Mempool's default). */
const MAX_MEMPOOL_BYTES = 64 << 20;

/** The mempool methods. */
export const MEMPOOL_METHODS: readonly NodeMethod[] = [
  {
    name: "savemempool",
    category: "blockchain",
    params: [],
    help: "Dumps the mempool to disk (<datadir>/mempool.dat, replaced atomically).",
    run: async (node) => {
      await saveMempool(node);
      return { filename: mempoolFilePath(node.datadir) };
    },
  },
  {
    name: "getmempoolinfo",
    category: "blockchain",
    params: [],
    help: "Returns details on the active state of the transaction memory pool.",
    run: (node) => {
      const entries = node.mempool.entries();
      const fees = entries.reduce((s, e) => s + e.feeResonances, 0n);
      const perKb = node.params.minRelayFeePerByte * 1000n;
      return {
        loaded: true,
        size: node.mempool.count,
        bytes: node.mempool.bytes,
        usage: node.mempool.bytes,
        total_fee: amountJson(fees),
        maxmempool: MAX_MEMPOOL_BYTES,
        mempoolminfee: amountJson(perKb),
        minrelaytxfee: amountJson(perKb),
      };
    },
  },
  {
    name: "getrawmempool",
    category: "blockchain",
    params: [{
      name: "verbose",
      type: "boolean",
      required: false,
      description: "true for a json object, false for an array of transaction ids",
      defaultHint: "false",
    }],
    help: "Returns all transaction ids in the memory pool, or an object of their details.",
    run: (node, [verbose]) => {
      const entries = node.mempool.entries();
      if (verbose !== true) return entries.map((e) => toHex(e.txid));
      const out: Record<string, unknown> = {};
      for (const e of entries) {
        out[toHex(e.txid)] = {
          vsize: e.sizeBytes,
          size: e.sizeBytes,
          fee: amountJson(e.feeResonances),
          fees: { base: amountJson(e.feeResonances) },
          depends: [...new Set(e.spends.map((k) => k.slice(0, k.indexOf(":"))))]
            .filter((id) => entries.some((o) => toHex(o.txid) === id)),
        };
      }
      return out;
    },
  },
];
