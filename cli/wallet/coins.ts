/**
 * `rnt wallet address`, `balance`, `history` and `status`: the wallet's addresses and coins as
 * the node sees them. The balance is split by `core/wallet/balance.ts`, the same function the
 * RPC's `getwalletinfo` uses.
 *
 * @module
 */
import { stringFlag } from "../command.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { pendingHistoryRows } from "../../node/wallet/resend.ts";
import { formatRnt } from "../../core/primitives/amount.ts";
import { classifyBalance } from "../../core/wallet/balance.ts";
import { saveWallet } from "../../node/wallet/store.ts";
import {
  addressJson,
  linkNodeResending,
  openWalletFile,
  printResult,
  recoveryFlag,
  type WalletEnv,
} from "./env.ts";

/** `rnt wallet address [--recovery SPEC] [--label L]`. */
export async function runAddress(env: WalletEnv): Promise<number> {
  const w = await openWalletFile(env);
  const spec = recoveryFlag(env) ?? w.wallet.defaultSpec();
  const label = stringFlag(env.args, "label") ?? "";
  const a = w.wallet.newAddress(spec, { label });
  await saveWallet(w);
  printResult(env, addressJson(a), () => [a.address]);
  return 0;
}

/** `rnt wallet balance`. */
export async function runBalance(env: WalletEnv): Promise<number> {
  const w = await openWalletFile(env);
  const { tip, coins } = await (await linkNodeResending(env, w)).walletCoins(w.wallet);
  const { confirmed, unconfirmed, immature } = classifyBalance(coins, tip.height, env.params);
  printResult(env, {
    balance: formatRnt(confirmed),
    balance_resonances: confirmed,
    unconfirmed: formatRnt(unconfirmed),
    unconfirmed_resonances: unconfirmed,
    immature: formatRnt(immature),
    immature_resonances: immature,
    coins: coins.length,
    height: tip.height,
  }, () => [
    `confirmed    ${formatRnt(confirmed).padStart(20)} RNT`,
    `unconfirmed  ${formatRnt(unconfirmed).padStart(20)} RNT`,
    `immature     ${formatRnt(immature).padStart(20)} RNT`,
  ]);
  return 0;
}

/** `rnt wallet history`. */
export async function runHistory(env: WalletEnv): Promise<number> {
  const w = await openWalletFile(env);
  const node = await linkNodeResending(env, w);
  const rows = await node.history(w.wallet.addresses().map((a) => a.address));
  rows.push(...pendingHistoryRows(w.wallet, new Set(rows.map((r) => r.txid))));
  printResult(
    env,
    rows.map((r) => ({
      txid: r.txid,
      height: r.height,
      time: r.time,
      confirmations: r.confirmations,
      coinbase: r.coinbase,
      amount: formatRnt(r.receivedResonances - r.sentResonances),
      amount_resonances: r.receivedResonances - r.sentResonances,
    })),
    () =>
      rows.map((r) =>
        `${String(r.height ?? "mempool").padStart(7)}  ${
          formatRnt(r.receivedResonances - r.sentResonances).padStart(20)
        }  ${r.txid}${r.coinbase ? "  coinbase" : ""}`
      ),
  );
  return 0;
}

/** `rnt wallet status`: each coin's age and the time left before recovery or emission return. */
export async function runStatus(env: WalletEnv): Promise<number> {
  const w = await openWalletFile(env);
  const { tip, coins } = await (await linkNodeResending(env, w)).walletCoins(w.wallet);
  const rows = w.wallet.status(coins, tip.mtpSecs);
  printResult(
    env,
    {
      height: tip.height,
      mediantime: tip.mtpSecs,
      coins: rows.map((s) => ({
        txid: toHex(s.coin.outpoint.txid),
        vout: s.coin.outpoint.vout,
        address: s.address,
        value: formatRnt(s.coin.value),
        value_resonances: s.coin.value,
        age_secs: s.ageSecs,
        recovery_opens_in_secs: s.recoveryOpensInSecs,
        emission_return_in_secs: s.emissionReturnInSecs,
      })),
    },
    () => [
      `${"value".padStart(20)}  ${"age s".padStart(10)}  ${"recovery in".padStart(12)}  ${
        "return in".padStart(12)
      }  outpoint`,
      ...rows.map((s) =>
        `${formatRnt(s.coin.value).padStart(20)}  ${String(s.ageSecs).padStart(10)}  ${
          String(s.recoveryOpensInSecs ?? "-").padStart(12)
        }  ${String(s.emissionReturnInSecs).padStart(12)}  ${
          toHex(s.coin.outpoint.txid)
        }:${s.coin.outpoint.vout}`
      ),
    ],
  );
  return 0;
}
