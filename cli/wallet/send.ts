/**
 * `rnt wallet send ADDR AMOUNT` (a payment; change keeps the recovery policy) and
 * `rnt wallet heartbeat` (aging coins re-spent to themselves: the owner's proof of life).
 *
 * @module
 */
import { intFlag, stringFlag } from "../command.ts";
import { UsageError } from "../../core/errors.ts";
import { formatRnt, parseRntAmount } from "../../core/primitives/amount.ts";
import { STDIN, tell } from "../line_input.ts";
import { saveWallet } from "../../node/wallet/store.ts";
import { RpcError } from "../../core/errors.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import type { NodeLink } from "../../node/wallet/node_link.ts";
import {
  feeRateFlag,
  linkNodeResending,
  openWalletFile,
  printResult,
  type WalletEnv,
} from "./env.ts";
import type { OpenedWallet } from "../../node/wallet/store.ts";

/**
 * Records `tx` as a pending send and saves the file before broadcasting it, so the wallet can
 * submit it again if the node loses it; a reject forgets it again (nothing was sent).
 */
async function broadcastRecorded(w: OpenedWallet, node: NodeLink, tx: Tx): Promise<string> {
  const rec = w.wallet.recordSend(tx, Math.floor(Date.now() / 1000));
  await saveWallet(w);
  try {
    return await node.broadcast(tx);
  } catch (e) {
    if (e instanceof RpcError) {
      w.wallet.dropPendingSend(rec.txid);
      await saveWallet(w);
    }
    throw e;
  }
}

/**
 * `rnt wallet send ADDR AMOUNT [--fee-rate N] [--yes]`: shows amount, fee and total and asks
 * "Send? [y/N]" before broadcasting; `--yes` skips the question, and without a terminal to ask
 * on it is required (a script must say so).
 */
export async function runSend(env: WalletEnv): Promise<number> {
  const [to, amountText, ...extra] = env.args.positionals;
  if (!to || !amountText || extra.length) throw new UsageError("give ADDR AMOUNT");
  const value = parseRntAmount(amountText);
  const rate = feeRateFlag(env);
  const w = await openWalletFile(env);
  const node = await linkNodeResending(env, w);
  const { tip, coins } = await node.walletCoins(w.wallet);
  const built = w.wallet.createSpend({
    coins,
    payments: [{ address: to, value }],
    feeRatePerByte: rate,
    tipHeight: tip.height,
  });
  const fee = built.feeResonances;
  await tell(
    `Send ${formatRnt(value)} RNT to ${to}\nFee  ${
      formatRnt(fee)
    } RNT (${built.sizeBytes} bytes)\n` +
      `Total ${formatRnt(value + fee)} RNT\n`,
  );
  if (env.args.values.yes !== true) {
    if (!STDIN.interactive) {
      throw new UsageError("not sent: no terminal to confirm on; add --yes to send without asking");
    }
    const answer = await STDIN.ask("Send? [y/N] ");
    if (answer === null || !/^y(es)?$/i.test(answer.trim())) {
      await tell("Not sent\n");
      return 1;
    }
  }
  const id = await broadcastRecorded(w, node, built.tx);
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
  const node = await linkNodeResending(env, w);
  const { tip, coins } = await node.walletCoins(w.wallet);
  const due = stringFlag(env.args, "due-within");
  const built = w.wallet.createHeartbeat({
    coins: coins.filter((c) => c.confirmations > 0),
    feeRatePerByte: feeRateFlag(env),
    tipHeight: tip.height,
    tipMtpSecs: tip.mtpSecs,
    ...(due === undefined ? {} : { dueWithinSecs: intFlag(env.args, "due-within", 0) }),
  });
  const id = await broadcastRecorded(w, node, built.tx);
  printResult(env, {
    txid: id,
    coins: built.spent.length,
    fee_resonances: built.feeResonances,
  }, () => [`${id} (re-spent ${built.spent.length} coins to themselves)`]);
  return 0;
}
