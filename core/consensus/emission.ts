/**
 * Emission (DESIGN §6, PROTOCOL §5.2): base reward 50 RNT × 2^−era on the effective supply
 * (minted − returned), a performance bonus of up to ×2, and never beyond 21M in circulation.
 * All arithmetic is bigint.
 *
 * @module
 */
import type { ChainEntry } from "./chain_entry.ts";
import { BASE_REWARD_RESONANCES, MAX_SUPPLY_RESONANCES, type NetworkParams } from "./params.ts";

/** Eras beyond this pay a zero base (50 RNT >> 33 is already 0). */
export const MAX_ERA = 64;

/** Effective circulating supply after `entry`: minted − returned. */
export function effectiveSupply(entry: ChainEntry): bigint {
  return entry.mintedResonances - entry.returnedResonances;
}

/**
 * The era of an effective supply: the largest k with `supply ≥ 21M × (1 − 2^−k)`, i.e.
 * `(21M − supply) × 2^k ≤ 21M`; {@linkcode MAX_ERA} at or beyond the cap.
 *
 * @example
 * ```ts
 * import { eraOf } from "./emission.ts";
 * console.log(eraOf(0n), eraOf(1_050_000_000_000_000n)); // 0 1
 * ```
 */
export function eraOf(effectiveSupplyResonances: bigint): number {
  const remaining = MAX_SUPPLY_RESONANCES - effectiveSupplyResonances;
  if (remaining <= 0n) return MAX_ERA;
  let k = 0;
  while (k < MAX_ERA && (remaining << BigInt(k + 1)) <= MAX_SUPPLY_RESONANCES) k++;
  return k;
}

/** Base reward of an era: 50 RNT >> era. */
export function baseReward(era: number): bigint {
  return era >= MAX_ERA ? 0n : BASE_REWARD_RESONANCES >> BigInt(era);
}

/**
 * The block reward a child of `parent` with verified progress `progressPpm` (its
 * `headerProgressPpm`, PROTOCOL §5.9) may mint (fees come on top):
 * `base + ⌊base × min(Δ, Δfull) / Δfull⌋` with Δ = `progressPpm`, capped at
 * `21M − effective supply`.
 *
 * @example
 * ```ts
 * import { blockReward } from "./emission.ts";
 * import { genesisEntry } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * const g = genesisEntry(REGTEST);
 * console.log(blockReward(REGTEST, g, 0)); // 5000000000n (no bonus)
 * ```
 */
export function blockReward(
  params: NetworkParams,
  parent: ChainEntry,
  progressPpm: number,
): bigint {
  const supply = effectiveSupply(parent);
  const base = baseReward(eraOf(supply));
  const delta = BigInt(
    Math.min(
      Math.max(0, Math.floor(progressPpm)),
      params.bonusFullImprovementPpm,
    ),
  );
  const reward = base + base * delta / BigInt(params.bonusFullImprovementPpm);
  const room = MAX_SUPPLY_RESONANCES - supply;
  if (room <= 0n) return 0n;
  return reward < room ? reward : room;
}
