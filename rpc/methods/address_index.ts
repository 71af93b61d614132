/**
 * Address look-ups for wallets that keep no chain copy (`rnt wallet` talks to the node by RPC):
 * `listunspentbyaddress` scans the UTXO set (and the mempool) for outputs paying given addresses,
 * with the fields the wallet's timers need (height, coinbase, created MTP); `listaddresshistory`
 * walks the active chain (and the mempool) for transactions paying or spending them.
 * Both are linear scans, fine for regtest and small chains; a wallet's gap-limit rescan calls
 * them with batches of addresses.
 *
 * @module
 */
import type { UtxoEntry } from "../../core/consensus/chain_entry.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import { type AddressData, decodeAddress, encodeAddress } from "../../core/primitives/address.ts";
import { isCoinbase, type Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { RpcCode } from "../error_codes.ts";
import type { Node } from "../../node/node.ts";
import { amountJson, recoveryKindName } from "./format.ts";
import type { NodeMethod } from "./node_method.ts";

/** Most addresses one call may ask about. */
export const MAX_ADDRESSES_PER_CALL = 1000;

/** A UTXO found by {@linkcode scanUnspent}. */
export interface FoundUtxo {
  /** `txidhex:vout`. */
  readonly key: string;
  /** The entry (mempool outputs: created at tip height + 1 with the tip's MTP). */
  readonly entry: UtxoEntry;
  /** 0 for a mempool output. */
  readonly confirmations: number;
}

/**
 * The unspent outputs paying addresses whose {@linkcode addressKey} is in `wanted`; with
 * `withMempool`, plus mempool outputs and minus outputs a mempool transaction spends.
 */
export async function scanUnspent(
  node: Node,
  wanted: ReadonlySet<string>,
  withMempool: boolean,
): Promise<FoundUtxo[]> {
  await node.settled();
  const tipHeight = node.chainstate.tip().height;
  const out: FoundUtxo[] = [];
  for await (const [op, entry] of node.chainstate.utxos()) {
    if (!wanted.has(addressKey(entry.address))) continue;
    if (withMempool && node.mempool.spenderOf(op) !== undefined) continue;
    out.push({
      key: `${toHex(op.txid)}:${op.vout}`,
      entry,
      confirmations: tipHeight - entry.height + 1,
    });
  }
  if (withMempool) {
    for (const pooled of node.mempool.entries()) {
      for (const [key, entry] of pooled.created) {
        if (!wanted.has(addressKey(entry.address))) continue;
        const [id, vout] = key.split(":") as [string, string];
        if (node.mempool.spenderOf({ txid: fromHex(id), vout: +vout }) !== undefined) continue;
        out.push({ key, entry, confirmations: 0 });
      }
    }
  }
  return out;
}

/** The lookup key of an address payload: `kind:hashhex`. */
export function addressKey(a: AddressData): string {
  return `${a.kind}:${toHex(a.hash)}`;
}

function parseAddresses(node: Node, value: unknown): Set<string> {
  if (!Array.isArray(value)) throw new RpcError(RpcCode.TYPE_ERROR, "addresses must be an array");
  if (value.length > MAX_ADDRESSES_PER_CALL) {
    throw new RpcError(
      RpcCode.INVALID_PARAMETER,
      `At most ${MAX_ADDRESSES_PER_CALL} addresses per call, got ${value.length}`,
    );
  }
  const keys = new Set<string>();
  for (const a of value) {
    if (typeof a !== "string") throw new RpcError(RpcCode.TYPE_ERROR, "address must be a string");
    try {
      keys.add(addressKey(decodeAddress(node.params, a)));
    } catch (e) {
      throw new RpcError(
        RpcCode.INVALID_ADDRESS_OR_KEY,
        `Invalid address ${a}: ${(e as Error).message}`,
      );
    }
  }
  return keys;
}

function includeMempool(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== "boolean") {
    throw new RpcError(RpcCode.TYPE_ERROR, "include_mempool must be a boolean");
  }
  return value;
}

function utxoJson(
  node: Node,
  key: string,
  e: UtxoEntry,
  confirmations: number,
): Record<string, unknown> {
  const [id, vout] = key.split(":") as [string, string];
  return {
    txid: id,
    vout: Number(vout),
    address: encodeAddress(node.params, e.address),
    recovery_kind: recoveryKindName(e.address.kind),
    policy_hash: toHex(e.address.hash),
    value: amountJson(e.value),
    value_resonances: e.value,
    height: e.height,
    confirmations,
    coinbase: e.coinbase,
    created_mtp: e.createdMtpSecs,
  };
}

/**
 * Transactions of the active chain (and with `withMempool` the mempool) paying or spending
 * addresses whose {@linkcode addressKey} is in `wanted`, oldest first, as JSON rows.
 */
export async function scanHistory(
  node: Node,
  wanted: ReadonlySet<string>,
  withMempool: boolean,
): Promise<Record<string, unknown>[]> {
  await node.settled();
  const tip = node.chainstate.tip();
  const ours = new Map<string, bigint>();
  const rows: Record<string, unknown>[] = [];
  const visit = (
    tx: Tx,
    where: { hash: string | null; height: number | null; time: number | null },
  ) => {
    const id = toHex(txid(node.params.magic, tx));
    let received = 0n, sent = 0n;
    const touched = new Set<string>();
    for (const input of tx.inputs) {
      const k = `${toHex(input.prevout.txid)}:${input.prevout.vout}`;
      const v = ours.get(k);
      if (v !== undefined) {
        sent += v;
        ours.delete(k);
      }
    }
    tx.outputs.forEach((o, n) => {
      if (!wanted.has(addressKey(o.address))) return;
      received += o.value;
      ours.set(`${id}:${n}`, o.value);
      touched.add(encodeAddress(node.params, o.address));
    });
    if (received === 0n && sent === 0n && touched.size === 0) return;
    rows.push({
      txid: id,
      blockhash: where.hash,
      height: where.height,
      time: where.time,
      confirmations: where.height === null ? 0 : tip.height - where.height + 1,
      coinbase: isCoinbase(tx),
      received: amountJson(received),
      received_resonances: received,
      sent: amountJson(sent),
      sent_resonances: sent,
      addresses: [...touched],
    });
  };
  for (let h = 1; h <= tip.height; h++) {
    const entry = node.chainstate.getEntryByHeight(h);
    if (!entry) continue;
    const block = await node.chainstate.getBlock(entry.hash);
    if (!block) continue;
    const where = { hash: toHex(entry.hash), height: h, time: entry.header.timestampSecs };
    for (const tx of block.txs) visit(tx, where);
  }
  if (withMempool) {
    for (const e of node.mempool.entries()) {
      visit(e.tx, { hash: null, height: null, time: null });
    }
  }
  return rows;
}

/** The address index methods. */
export const ADDRESS_INDEX_METHODS: readonly NodeMethod[] = [
  {
    name: "listunspentbyaddress",
    category: "blockchain",
    params: [
      { name: "addresses", type: "array", required: true, description: "Addresses to look for" },
      {
        name: "include_mempool",
        type: "boolean",
        required: false,
        description: "Add mempool outputs (confirmations 0) and drop outputs mempool spends",
        defaultHint: "true",
      },
    ],
    result: "[{ txid, vout, address, recovery_kind, policy_hash, value, value_resonances, " +
      "height, confirmations, coinbase, created_mtp }]",
    help: "Scans the UTXO set for outputs paying any of the addresses (at most 1000). " +
      "created_mtp is the median-time-past the output's age is measured from (PROTOCOL §5.4).",
    run: async (node, [addressesParam, mempoolParam]) => {
      const wanted = parseAddresses(node, addressesParam);
      const found = await scanUnspent(node, wanted, includeMempool(mempoolParam));
      return found.map((f) => utxoJson(node, f.key, f.entry, f.confirmations));
    },
  },
  {
    name: "listaddresshistory",
    category: "blockchain",
    params: [
      { name: "addresses", type: "array", required: true, description: "Addresses to look for" },
      {
        name: "include_mempool",
        type: "boolean",
        required: false,
        description: "Add mempool transactions (confirmations 0)",
        defaultHint: "true",
      },
    ],
    result: "[{ txid, blockhash, height, time, confirmations, coinbase, received, " +
      "received_resonances, sent, sent_resonances, addresses }]",
    help: "Walks the active chain for transactions paying or spending any of the addresses: " +
      "received = value of outputs to them, sent = value of their outputs it spends.",
    run: (node, [addressesParam, mempoolParam]) =>
      scanHistory(node, parseAddresses(node, addressesParam), includeMempool(mempoolParam)),
  },
];
