/**
 * `rnt wallet sweep-miner-key`: moves every spendable coin of the miner key's heartbeat
 * address (`<datadir>/miner.key`, where `rnt mine` pays without `--address` and no wallet) to a
 * fresh receive address of the wallet, before those coins reach the emission-return age.
 *
 * @module
 */
import { fromHex } from "../../core/crypto/keccak.ts";
import { formatRnt } from "../../core/primitives/amount.ts";
import { heartbeatPolicy } from "../../core/primitives/recovery_policies.ts";
import { createKeySweep } from "../../core/wallet/key_sweep.ts";
import { loadOrCreateMinerKey, MINER_KEY_FILE } from "../../node/miner/miner_key.ts";
import { minerHeartbeatKey } from "../../node/miner/miner_address.ts";
import { saveWallet } from "../../node/wallet/store.ts";
import { feeRateFlag, linkNode, openWalletFile, printResult, type WalletEnv } from "./env.ts";

/** `rnt wallet sweep-miner-key [--fee-rate N]`. */
export async function runSweepMinerKey(env: WalletEnv): Promise<number> {
  const keyPath = `${env.datadir.replace(/\/+$/, "")}/${MINER_KEY_FILE}`;
  try {
    await Deno.stat(keyPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`no miner key at ${keyPath}`);
    throw e;
  }
  const seed = await loadOrCreateMinerKey(env.datadir); // exists: only read
  const key = minerHeartbeatKey(env.params, seed);
  const policy = heartbeatPolicy(
    fromHex(key.owner.public_key),
    fromHex(key.recovery.public_key),
    key.interval_secs,
  );
  const w = await openWalletFile(env);
  const node = await linkNode(env);
  const [tip, coins] = await Promise.all([node.tip(), node.unspent([key.address])]);
  const to = w.wallet.newAddress(w.wallet.defaultSpec());
  const sweep = createKeySweep(env.params, {
    coins,
    policy,
    secretKey: seed,
    to: to.data,
    feeRatePerByte: feeRateFlag(env),
    tipHeight: tip.height,
  });
  await saveWallet(w);
  const id = await node.broadcast(sweep.tx);
  const moved = sweep.total - sweep.fee;
  printResult(env, {
    txid: id,
    from: key.address,
    address: to.address,
    coins: sweep.spent.length,
    amount: formatRnt(moved),
    amount_resonances: moved,
    fee_resonances: sweep.fee,
    left_immature: coins.length - sweep.spent.length,
  }, () => [
    `${id}: swept ${sweep.spent.length} coins, ${formatRnt(moved)} RNT (fee ${
      formatRnt(sweep.fee)
    } RNT) from the miner key to ${to.address}`,
    ...(coins.length > sweep.spent.length
      ? [`${coins.length - sweep.spent.length} immature coins left; sweep again once they mature`]
      : []),
  ]);
  return 0;
}
