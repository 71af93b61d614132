/**
 * Rescanning a wallet from its 24 words (BIP44's account discovery, by address): derive
 * addresses in batches of `gap` on each branch and ask which were ever paid, until `gap` unused
 * addresses in a row follow the last used one; then the wallet holds every address up to the
 * last used index (at least one receive address). What was paid is asked of the caller (the
 * node's address index), so this stays pure.
 *
 * @module
 */
import type { NetworkParams } from "../consensus/params.ts";
import type { RecoverySpec } from "./recovery_spec.ts";
import { Wallet } from "./wallet.ts";

/** How many unused addresses in a row end a rescan (BIP44's gap limit). */
export const DEFAULT_GAP_LIMIT = 20;

/** The addresses among those given that any transaction (chain or mempool) has paid. */
export type UsedAddressLookup = (addresses: readonly string[]) => Promise<ReadonlySet<string>>;

/** The last used index of each branch; -1 when none was used. */
export interface LastUsedIndexes {
  /** Receive branch. */
  readonly receive: number;
  /** Change branch. */
  readonly change: number;
}

/**
 * The last used index on the receive and change branches: addresses are derived `gap` at a
 * time (with `spec`) and looked up, until `gap` unused ones in a row follow the last used one.
 * RangeError unless `gap` is a positive integer.
 */
export async function findLastUsedIndexes(
  params: NetworkParams,
  mnemonic: string,
  spec: RecoverySpec,
  gap: number,
  isUsed: UsedAddressLookup,
): Promise<LastUsedIndexes> {
  if (!Number.isSafeInteger(gap) || gap < 1) {
    throw new RangeError(`gap must be a positive integer, got ${gap}`);
  }
  const scratch = Wallet.fromMnemonic(params, mnemonic);
  const lastUsed = { receive: -1, change: -1 };
  for (const change of [false, true]) {
    const key = change ? "change" : "receive";
    let derived = 0;
    while (derived - 1 - lastUsed[key] < gap) {
      const batch = Array.from({ length: gap }, () => scratch.newAddress(spec, { change }));
      const used = await isUsed(batch.map((a) => a.address));
      for (const a of batch) if (used.has(a.address)) lastUsed[key] = a.index;
      derived += gap;
    }
  }
  return lastUsed;
}

/**
 * The wallet of `mnemonic` with every address up to the last used index of each branch (at
 * least one receive address), each with `spec`; see {@linkcode findLastUsedIndexes}.
 *
 * @example
 * ```ts
 * import { rescanWallet } from "./rescan.ts";
 * import { Wallet } from "./wallet.ts";
 * import { defaultRecoverySpec } from "./recovery_spec.ts";
 * import { REGTEST } from "../consensus/params.ts";
 * const words = Wallet.generate(REGTEST).mnemonic;
 * const nothingUsed = () => Promise.resolve(new Set<string>());
 * const { wallet } = await rescanWallet(REGTEST, words, defaultRecoverySpec(REGTEST), 5, nothingUsed);
 * console.log(wallet.addresses().length); // 1
 * ```
 */
export async function rescanWallet(
  params: NetworkParams,
  mnemonic: string,
  spec: RecoverySpec,
  gap: number,
  isUsed: UsedAddressLookup,
): Promise<{ wallet: Wallet; lastUsed: LastUsedIndexes }> {
  const lastUsed = await findLastUsedIndexes(params, mnemonic, spec, gap, isUsed);
  const wallet = Wallet.fromMnemonic(params, mnemonic);
  for (let i = 0; i <= Math.max(lastUsed.receive, 0); i++) wallet.newAddress(spec);
  for (let i = 0; i <= lastUsed.change; i++) wallet.newAddress(spec, { change: true });
  return { wallet, lastUsed };
}
