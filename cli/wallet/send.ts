/**
 * `rnt wallet send ADDR AMOUNT` (a payment; change keeps the recovery policy) and
 * `rnt wallet heartbeat` (aging coins re-spent to themselves: the owner's proof of life).
 *
 * @module
 */
import { intFlag, stringFlag } from "../command.ts";
import { UsageError } from "../../core/errors.ts";
import { formatRnt, parseRntAmount } from "../../core/primitives/amount.ts";
import { saveWallet } from "../../node/wallet/store.ts";
import { feeRateFlag, linkNode, openWalletFile, printResult, type WalletEnv } from "./env.ts";

/** `rnt wallet send ADDR AMOUNT [--fee-rate N]`. */
export async function runSend(env: WalletEnv): Promise<number> {
  const [to, amountText, ...extra] = env.args.positionals;
  if (!to || !amountText || extra.length) throw new UsageError("give ADDR AMOUNT");
  const value = parseRntAmount(amountText);
  const rate = feeRateFlag(env);
  const w = await openWalletFile(env);
  const node = await linkNode(env);
  const { tip, coins } = await node.walletCoins(w.wallet);
  const built = w.wallet.createSpend({
    coins,
    payments: [{ address: to, value }],
    feeRatePerByte: rate,
    tipHeight: tip.height,
  });
  if (built.changeAddress) await saveWallet(w);
  const id = await node.broadcast(built.tx);
  printResult(env, {
    txid: id,
    fee: formatRnt(built.feeResonances),
    fee_resonances: built.feeResonances,
    size: built.sizeBytes,
    change_address: built.changeAddress,
  }, () => [id]);
  return 0;
}

/** `rnt wallet heartbeat [--due-within SECS] [--fee-rate N]`. */
export async function runHeartbeat(env: WalletEnv): Promise<number> {
  const w = await openWalletFile(env);
  const node = await linkNode(env);
  const { tip, coins } = await node.walletCoins(w.wallet);
  const due = stringFlag(env.args, "due-within");
  const built = w.wallet.createHeartbeat({
    coins: coins.filter((c) => c.confirmations > 0),
    feeRatePerByte: feeRateFlag(env),
    tipHeight: tip.height,
    tipMtpSecs: tip.mtpSecs,
    ...(due === undefined ? {} : { dueWithinSecs: intFlag(env.args, "due-within", 0) }),
  });
  const id = await node.broadcast(built.tx);
  printResult(env, {
    txid: id,
    coins: built.spent.length,
    fee_resonances: built.feeResonances,
  }, () => [`${id} (re-spent ${built.spent.length} coins to themselves)`]);
  return 0;
}
