/**
 * `rnt wallet create` (a new wallet: the 24 words are printed once) and `rnt wallet recover`
 * (the wallet of 24 words, its addresses found again by a gap-limit rescan of the node's
 * address index: `core/wallet/rescan.ts`).
 *
 * @module
 */
import { intFlag, stringFlag } from "../command.ts";
import { STDIN, tell } from "../line_input.ts";
import { formatAge } from "../progress.ts";
import { formatRnt } from "../../core/primitives/amount.ts";
import { checkMnemonic } from "../../core/wallet/mnemonic.ts";
import { askMnemonic } from "./mnemonic_prompt.ts";
import { defaultRecoverySpec } from "../../core/wallet/recovery_spec.ts";
import { DEFAULT_GAP_LIMIT, rescanWallet } from "../../core/wallet/rescan.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import { writeWallet } from "../../node/wallet/store.ts";
import {
  addressJson,
  describeSpec,
  fastKdfFlag,
  linkNode,
  newPassphrase,
  printResult,
  recoveryFlag,
  refuseOverwrite,
  type WalletEnv,
} from "./env.ts";

/** `rnt wallet create [--recovery SPEC]`. */
export async function runCreate(env: WalletEnv): Promise<number> {
  await refuseOverwrite(env);
  const spec = recoveryFlag(env) ?? defaultRecoverySpec(env.params);
  const kdf = fastKdfFlag(env);
  const pass = await newPassphrase(env);
  const wallet = Wallet.generate(env.params);
  const first = wallet.newAddress(spec);
  await writeWallet(env.walletPath, wallet, pass, kdf);
  printResult(
    env,
    {
      mnemonic: wallet.mnemonic,
      wallet: env.walletPath,
      ...addressJson(first),
      emission_return_age_secs: env.params.emissionReturnAgeSecs,
    },
    () => [
      "Write down these 24 words, in order. They are shown only this once and are the only",
      "way to restore the wallet (with the recovery policy below):",
      "",
      ...numberedWords(wallet.mnemonic),
      "",
      `Wallet file: ${env.walletPath}`,
      `Recovery:    ${describeSpec(first)}`,
      `Address:     ${first.address}`,
      expiryLine(env.params.emissionReturnAgeSecs),
    ],
  );
  return 0;
}

/** `rnt wallet recover [--mnemonic-file F] [--recovery SPEC] [--gap N]`. */
export async function runRecover(env: WalletEnv): Promise<number> {
  await refuseOverwrite(env);
  const file = stringFlag(env.args, "mnemonic-file");
  const words = file !== undefined ? await Deno.readTextFile(file) : undefined;
  const mnemonic = words !== undefined
    ? checkMnemonic(words.trim())
    : await askMnemonic(STDIN, (line) => tell(line + "\n"));
  const spec = recoveryFlag(env) ?? defaultRecoverySpec(env.params);
  const gap = intFlag(env.args, "gap", DEFAULT_GAP_LIMIT, 1, 1000);
  const kdf = fastKdfFlag(env);
  const node = await linkNode(env);
  const pass = await newPassphrase(env);
  const { wallet, lastUsed } = await rescanWallet(
    env.params,
    mnemonic,
    spec,
    gap,
    (addresses) => node.usedAddresses(addresses),
  );
  const coins = await node.unspent(wallet.addresses().map((a) => a.address));
  const balance = coins.reduce((s, c) => s + c.value, 0n);
  await writeWallet(env.walletPath, wallet, pass, kdf);
  printResult(env, {
    wallet: env.walletPath,
    receive_addresses: lastUsed.receive + 1,
    change_addresses: lastUsed.change + 1,
    addresses: wallet.addresses().map((a) => a.address),
    coins: coins.length,
    balance: formatRnt(balance),
    balance_resonances: balance,
  }, () => [
    `Recovered ${wallet.addresses().length} addresses (${lastUsed.receive + 1} receive, ` +
    `${lastUsed.change + 1} change used), ${coins.length} coins, ${formatRnt(balance)} RNT`,
    `Wallet file: ${env.walletPath}`,
  ]);
  return 0;
}

/** The words numbered in rows of four: `1. abandon    2. ability  …`. */
export function numberedWords(mnemonic: string): string[] {
  const cells = mnemonic.split(" ").map((w, i) => `${String(i + 1).padStart(2)}. ${w.padEnd(9)}`);
  const rows: string[] = [];
  for (let i = 0; i < cells.length; i += 4) rows.push(cells.slice(i, i + 4).join(" ").trimEnd());
  return rows;
}

/** The one line on coin expiry: coins unmoved for the emission-return age go back to emission. */
export function expiryLine(ageSecs: number): string {
  const age = formatAge(ageSecs);
  return `Expiry:      coins unmoved for ${age} return to emission; run 'rnt wallet heartbeat' before then`;
}
