/**
 * Sweeping every spendable coin of one single-key policy (e.g. the miner key's heartbeat
 * address) into one output of the wallet: one input per coin, each signed by `secretKey`
 * through `policy`, the fee for the exact signed size taken from the swept total.
 *
 * @module
 */
import { isMature } from "../consensus/coinbase_maturity.ts";
import type { NetworkParams } from "../consensus/params.ts";
import { toHex } from "../crypto/keccak.ts";
import type { AddressData } from "../primitives/address.ts";
import type { Policy } from "../primitives/policy.ts";
import type { Tx } from "../primitives/tx.ts";
import { feeForSize, signedTxSize } from "./fee_sizing.ts";
import { signTx, type WalletCoin } from "./wallet.ts";
import { WalletError } from "./wallet_errors.ts";

/** A signed sweep and what it moves. */
export interface KeySweep {
  /** The signed transaction. */
  readonly tx: Tx;
  /** The coins it spends. */
  readonly spent: readonly WalletCoin[];
  /** Their total, resonances. */
  readonly total: bigint;
  /** The fee, resonances. */
  readonly fee: bigint;
}

/**
 * Spends the coins of `coins` that are mature in the next block (duplicates dropped; coins of
 * other addresses are the caller's mistake and are refused) to `to`. Throws
 * `WalletError("no-coins")` when none is spendable, `"insufficient-funds"` when they cannot pay
 * the fee.
 */
export function createKeySweep(
  params: NetworkParams,
  req: {
    readonly coins: readonly WalletCoin[];
    readonly policy: Policy;
    readonly secretKey: Uint8Array;
    readonly to: AddressData;
    readonly feeRatePerByte: bigint;
    readonly tipHeight: number;
  },
): KeySweep {
  const seen = new Set<string>();
  const spent = req.coins.filter((c) => {
    const k = `${toHex(c.outpoint.txid)}:${c.outpoint.vout}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return isMature(c, req.tipHeight + 1, params);
  });
  if (spent.length === 0) {
    throw new WalletError("no-coins", "No spendable coins to sweep (immature coins wait)");
  }
  const total = spent.reduce((s, c) => s + c.value, 0n);
  const draft: Tx = {
    version: 1,
    inputs: spent.map((c) => ({ prevout: c.outpoint, sequence: 0 })),
    outputs: [{ value: total, address: req.to }],
    locktime: 0,
    witnesses: [],
  };
  const shapes = spent.map(() => ({ policy: req.policy, signatures: 1 }));
  const fee = feeForSize(signedTxSize(draft, shapes), req.feeRatePerByte);
  if (total <= fee) throw new WalletError("insufficient-funds", "The coins cannot pay the fee");
  const signers = spent.map(() => ({ policy: req.policy, secretKey: req.secretKey }));
  const tx = signTx(params, spent, [{ value: total - fee, address: req.to }], 0, signers);
  return { tx, spent, total, fee };
}
