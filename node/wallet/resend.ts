/**
 * Submitting the wallet's unconfirmed sends again, so a payment is not lost when the node lost
 * it (killed before it saved mempool.dat, or its mempool evicted it). Each pending send goes to
 * the node's `sendrawtransaction`, oldest first so a parent precedes the child spending its
 * change; the answer decides what the wallet keeps:
 * - accepted, or already in the mempool (the node answers the txid): kept, still pending;
 * - already in a block (−27), inputs missing or spent (−25: a block or another transaction
 *   spent them), or a conflict with a mempool transaction: dropped, it can never confirm as is;
 * - any other reject (e.g. a full mempool): kept, tried again next time.
 *
 * @module
 */
import { fromHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import { decodeTx } from "../../core/primitives/tx.ts";
import type { Wallet } from "../../core/wallet/wallet.ts";
import { RpcCode } from "../../rpc/error_codes.ts";
import type { HistoryRow } from "./node_link.ts";

/** What {@linkcode resendPendingSends} did with each pending send (txid hex lists). */
export interface ResendOutcome {
  /** Accepted or already in the node's mempool: still pending. */
  readonly inMempool: readonly string[];
  /** Confirmed or conflicted: no longer pending (the caller saves the wallet). */
  readonly dropped: readonly string[];
  /** Rejected for another reason: still pending, with the node's message. */
  readonly kept: readonly { readonly txid: string; readonly reason: string }[];
}

/** Whether a rejected submission means the transaction can never enter a block as it is. */
function isSettled(e: RpcError): boolean {
  if (e.rpcCode === RpcCode.VERIFY_ALREADY_IN_CHAIN || e.rpcCode === RpcCode.VERIFY_ERROR) {
    return true;
  }
  return e.rpcCode === RpcCode.VERIFY_REJECTED && e.message.startsWith("txn-mempool-conflict");
}

/**
 * Submits each of `wallet`'s pending sends through `submit` (the node's `sendrawtransaction`)
 * and drops the confirmed or conflicted ones from `wallet` (not saved here). Errors other than
 * an RPC reject (the node not answering) propagate.
 */
export async function resendPendingSends(
  wallet: Wallet,
  submit: (rawTxHex: string) => Promise<unknown>,
): Promise<ResendOutcome> {
  const inMempool: string[] = [], dropped: string[] = [];
  const kept: { txid: string; reason: string }[] = [];
  for (const p of wallet.pendingSends()) {
    try {
      await submit(p.rawTx);
      inMempool.push(p.txid);
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      if (isSettled(e)) {
        wallet.dropPendingSend(p.txid);
        dropped.push(p.txid);
      } else kept.push({ txid: p.txid, reason: e.message });
    }
  }
  return { inMempool, dropped, kept };
}

/**
 * History rows (unconfirmed, height null) for `wallet`'s pending sends whose txid is not in
 * `listed` (the node's rows): a send the node does not hold is still shown, as pending. Its
 * amount is what it pays to addresses not the wallet's; the fee is not known without the coins
 * it spends.
 */
export function pendingHistoryRows(wallet: Wallet, listed: ReadonlySet<string>): HistoryRow[] {
  const rows: HistoryRow[] = [];
  for (const p of wallet.pendingSends()) {
    if (listed.has(p.txid)) continue;
    const tx = decodeTx(fromHex(p.rawTx), wallet.params.maxTxBytes);
    let foreign = 0n;
    for (const o of tx.outputs) if (!wallet.addressOf(o.address)) foreign += o.value;
    rows.push({
      txid: p.txid,
      height: null,
      time: p.timeSecs,
      confirmations: 0,
      coinbase: false,
      receivedResonances: 0n,
      sentResonances: foreign,
    });
  }
  return rows;
}
