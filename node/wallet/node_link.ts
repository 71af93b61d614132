/**
 * What `rnt wallet` asks the node (by JSON-RPC with the node's cookie): the tip, the wallet's
 * unspent outputs (`listunspentbyaddress`), its history (`listaddresshistory`), transactions
 * (`getrawtransaction`) and broadcasts (`sendrawtransaction`).
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { decodeAddress } from "../../core/primitives/address.ts";
import { decodeTx, encodeTx, type Tx } from "../../core/primitives/tx.ts";
import type { WalletCoin } from "../../core/wallet/wallet.ts";
import type { RpcClient } from "../../rpc/client.ts";

/** The tip as the wallet needs it. */
export interface TipInfo {
  /** Height. */
  readonly height: number;
  /** Median-time-past of the tip. */
  readonly mtpSecs: number;
  /** Tip hash. */
  readonly hash: string;
}

/** A wallet coin with its confirmation count. */
export interface FoundCoin extends WalletCoin {
  /** 0 for a mempool output. */
  readonly confirmations: number;
}

/** One history row. */
export interface HistoryRow {
  readonly txid: string;
  readonly height: number | null;
  readonly time: number | null;
  readonly confirmations: number;
  readonly coinbase: boolean;
  readonly receivedResonances: bigint;
  readonly sentResonances: bigint;
}

const BATCH = 1000;

/** The node calls of the wallet. */
export class NodeLink {
  readonly #client: RpcClient;
  readonly #params: NetworkParams;

  constructor(client: RpcClient, params: NetworkParams) {
    this.#client = client;
    this.#params = params;
  }

  /** Tip height, MTP and hash. */
  async tip(): Promise<TipInfo> {
    const r = await this.#client.call("getblockchaininfo") as Record<string, unknown>;
    return {
      height: r.blocks as number,
      mtpSecs: r.mediantime as number,
      hash: r.bestblockhash as string,
    };
  }

  /** Unspent outputs paying `addresses` (mempool included, outputs mempool spends excluded). */
  async unspent(addresses: readonly string[]): Promise<FoundCoin[]> {
    const out: FoundCoin[] = [];
    for (let i = 0; i < addresses.length; i += BATCH) {
      const rows = await this.#client.call("listunspentbyaddress", [
        addresses.slice(i, i + BATCH),
      ]) as Record<string, unknown>[];
      for (const r of rows) {
        out.push({
          outpoint: { txid: fromHex(r.txid as string), vout: r.vout as number },
          value: BigInt(r.value_resonances as number),
          address: decodeAddress(this.#params, r.address as string),
          height: r.height as number,
          coinbase: r.coinbase as boolean,
          createdMtpSecs: r.created_mtp as number,
          confirmations: r.confirmations as number,
        });
      }
    }
    return out;
  }

  /** Transactions paying or spending `addresses`, oldest first (mempool last). */
  async history(addresses: readonly string[]): Promise<HistoryRow[]> {
    const byTx = new Map<string, HistoryRow>();
    for (let i = 0; i < addresses.length; i += BATCH) {
      const rows = await this.#client.call("listaddresshistory", [
        addresses.slice(i, i + BATCH),
      ]) as Record<string, unknown>[];
      for (const r of rows) {
        const prev = byTx.get(r.txid as string);
        byTx.set(r.txid as string, {
          txid: r.txid as string,
          height: r.height as number | null,
          time: r.time as number | null,
          confirmations: r.confirmations as number,
          coinbase: r.coinbase as boolean,
          receivedResonances: (prev?.receivedResonances ?? 0n) +
            BigInt(r.received_resonances as number),
          sentResonances: (prev?.sentResonances ?? 0n) + BigInt(r.sent_resonances as number),
        });
      }
    }
    return [...byTx.values()].sort((a, b) => (a.height ?? Infinity) - (b.height ?? Infinity));
  }

  /** The addresses among `addresses` that any transaction (chain or mempool) has paid. */
  async usedAddresses(addresses: readonly string[]): Promise<Set<string>> {
    const used = new Set<string>();
    for (let i = 0; i < addresses.length; i += BATCH) {
      const rows = await this.#client.call("listaddresshistory", [
        addresses.slice(i, i + BATCH),
      ]) as { addresses: string[] }[];
      for (const r of rows) for (const a of r.addresses) used.add(a);
    }
    return used;
  }

  /** A transaction of the mempool or the active chain (`getrawtransaction`). */
  async transaction(txid: string): Promise<Tx> {
    const hex = await this.#client.call("getrawtransaction", [txid]) as string;
    return decodeTx(fromHex(hex), this.#params.maxTxBytes);
  }

  /** Broadcasts `tx`; returns its txid. */
  async broadcast(tx: Tx): Promise<string> {
    return await this.#client.call("sendrawtransaction", [toHex(encodeTx(tx))]) as string;
  }
}
