/**
 * A wallet's balance as `rnt wallet balance` and the RPC's `getwalletinfo` report it: every coin
 * counts in exactly one of confirmed (in a block and spendable in the next one), unconfirmed (in
 * the mempool) and immature (a coinbase output younger than the coinbase maturity).
 *
 * @module
 */
import { isMature } from "../consensus/coinbase_maturity.ts";
import type { NetworkParams } from "../consensus/params.ts";
import type { WalletCoin } from "./wallet.ts";

/** A wallet coin with its confirmation count, as the node reports it. */
export interface FoundCoin extends WalletCoin {
  /** 0 for a mempool output. */
  readonly confirmations: number;
}

/** The three parts of a balance, in resonances. */
export interface WalletBalance {
  /** Confirmed and mature: spendable in a child of the tip. */
  readonly confirmed: bigint;
  /** In the mempool (0 confirmations). */
  readonly unconfirmed: bigint;
  /** Confirmed coinbase outputs not yet mature in a child of the tip. */
  readonly immature: bigint;
}

/**
 * Whether `coin` may be spent by a transaction for the block after the tip at `tipHeight`
 * (coinbase maturity; see {@linkcode isMature}).
 */
export function isSpendableAfter(
  coin: Pick<WalletCoin, "coinbase" | "height">,
  tipHeight: number,
  params: Pick<NetworkParams, "coinbaseMaturity">,
): boolean {
  return isMature(coin, tipHeight + 1, params);
}

/**
 * Sums `coins` into confirmed, unconfirmed and immature, seen from a child of the tip at
 * `tipHeight`.
 *
 * @example
 * ```ts
 * import { classifyBalance } from "./balance.ts";
 * import { REGTEST } from "../consensus/params.ts";
 * const coin = { value: 5n, height: 3, coinbase: true, confirmations: 1 };
 * console.log(classifyBalance([coin], 3, REGTEST)); // { confirmed: 0n, unconfirmed: 0n, immature: 5n }
 * ```
 */
export function classifyBalance(
  coins: Iterable<Pick<FoundCoin, "value" | "coinbase" | "height" | "confirmations">>,
  tipHeight: number,
  params: Pick<NetworkParams, "coinbaseMaturity">,
): WalletBalance {
  let confirmed = 0n, unconfirmed = 0n, immature = 0n;
  for (const c of coins) {
    if (c.confirmations === 0) unconfirmed += c.value;
    else if (!isSpendableAfter(c, tipHeight, params)) immature += c.value;
    else confirmed += c.value;
  }
  return { confirmed, unconfirmed, immature };
}
