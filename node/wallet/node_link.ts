/**
 * What `rnt wallet` asks the node (by JSON-RPC with the node's cookie): the tip, the wallet's
 * unspent outputs (`listunspentbyaddress`), its history (`listaddresshistory`), transactions
 * (`getrawtransaction`) and broadcasts (`sendrawtransaction`); and, built on those, the wallet's
 * coins with the tip and the pending social recoveries of its coins.
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { decodeAddress, encodeAddress } from "../../core/primitives/address.ts";
import { decodeTx, encodeTx, type Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import type { FoundCoin } from "../../core/wallet/balance.ts";
import {
  type GuardianSpend,
  guardianSpendOf,
  type RecoveryRequest,
} from "../../core/wallet/social_recovery.ts";
import type { PendingRecoveryCoin, Wallet } from "../../core/wallet/wallet.ts";
import { WalletError } from "../../core/wallet/wallet_errors.ts";
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

const outpointText = (o: { txid: Uint8Array; vout: number }) => `${toHex(o.txid)}:${o.vout}`;

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

  /** The tip and the unspent outputs paying any of `wallet`'s addresses. */
  async walletCoins(wallet: Wallet): Promise<{ tip: TipInfo; coins: FoundCoin[] }> {
    const [tip, coins] = await Promise.all([
      this.tip(),
      this.unspent(wallet.addresses().map((a) => a.address)),
    ]);
    return { tip, coins };
  }

  /**
   * The unspent pending recoveries of `wallet`'s coins, found on chain (and in the mempool):
   * guardian spends among the transactions spending its addresses, whose recorded owner is its.
   */
  async pendingRecoveries(wallet: Wallet): Promise<(FoundCoin & PendingRecoveryCoin)[]> {
    const rows = await this.history(wallet.addresses().map((a) => a.address));
    const spends: GuardianSpend[] = [];
    for (const r of rows) {
      if (r.sentResonances === 0n) continue;
      const g = guardianSpendOf(this.#params, await this.transaction(r.txid));
      if (g && wallet.pendingOwnerOf(g.pendingOwnerHash)) spends.push(g);
    }
    const coins = await this.unspent(spends.map((g) => encodeAddress(this.#params, g.address)));
    return coins.flatMap((c) => {
      const g = spends.find((s) => outpointText(s.outpoint) === outpointText(c.outpoint));
      return g ? [{ ...c, pendingOwnerHash: g.pendingOwnerHash }] : [];
    });
  }

  /**
   * The confirmed pending-recovery output `req`'s transaction created;
   * `WalletError("no-coins")` when there is none (not yet mined, or already spent).
   */
  async pendingRecoveryCoin(req: RecoveryRequest): Promise<FoundCoin> {
    const address = encodeAddress(this.#params, req.tx.outputs[0]!.address);
    const id = toHex(txid(this.#params.magic, req.tx));
    const coins = await this.unspent([address]);
    const coin = coins.find((c) => toHex(c.outpoint.txid) === id && c.confirmations > 0);
    if (!coin) throw new WalletError("no-coins", `No confirmed pending-recovery output ${id}:0`);
    return coin;
  }

  /** Submits an encoded transaction (`sendrawtransaction`); resolves to its txid. */
  async submitRaw(rawTxHex: string): Promise<string> {
    return await this.#client.call("sendrawtransaction", [rawTxHex]) as string;
  }

  /** Broadcasts `tx` (`sendrawtransaction`); resolves to its txid. */
  async broadcast(tx: Tx): Promise<string> {
    return await this.#client.call("sendrawtransaction", [toHex(encodeTx(tx))]) as string;
  }
}
