/**
 * Stage 1 transaction rules: what a transaction alone must satisfy (PROTOCOL §5.6).
 *
 * @module
 */
import { isKnownRecoveryKind } from "../primitives/address.ts";
import { isCoinbase, isNullOutPoint, type Tx, txSize } from "../primitives/tx.ts";
import { outpointKey } from "./chain_entry.ts";
import { MAX_SUPPLY_RESONANCES, type NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";

/** At least one input ("bad-txns-vin-empty") and one output ("bad-txns-vout-empty"). */
export function checkTxNotEmpty(tx: Tx): void {
  if (tx.inputs.length === 0) reject("bad-txns-vin-empty");
  if (tx.outputs.length === 0) reject("bad-txns-vout-empty");
}

/** Witness count 0 or the input count ("bad-txns-witness-count"). */
export function checkWitnessCount(tx: Tx): void {
  if (tx.witnesses.length !== 0 && tx.witnesses.length !== tx.inputs.length) {
    reject(
      "bad-txns-witness-count",
      `${tx.witnesses.length} witnesses, ${tx.inputs.length} inputs`,
    );
  }
}

/** Encoded size, witnesses included, at most `maxTxBytes` ("bad-txns-oversize"). */
export function checkTxSize(tx: Tx, params: NetworkParams): void {
  const size = txSize(tx);
  if (size > params.maxTxBytes) reject("bad-txns-oversize", `${size} > ${params.maxTxBytes}`);
}

/**
 * Every output value in [0, 21M] ("bad-txns-vout-toolarge") and their sum at most 21M
 * ("bad-txns-txouttotal-toolarge"); returns the sum.
 */
export function checkOutputValues(tx: Tx): bigint {
  let total = 0n;
  for (const [i, out] of tx.outputs.entries()) {
    if (out.value < 0n || out.value > MAX_SUPPLY_RESONANCES) {
      reject("bad-txns-vout-toolarge", `output ${i} value ${out.value}`);
    }
    total += out.value;
    if (total > MAX_SUPPLY_RESONANCES) reject("bad-txns-txouttotal-toolarge", `${total}`);
  }
  return total;
}

/** Every output's address carries a known recovery kind ("bad-recovery-kind"). */
export function checkOutputKinds(tx: Tx): void {
  for (const [i, out] of tx.outputs.entries()) {
    if (!isKnownRecoveryKind(out.address.kind)) {
      reject("bad-recovery-kind", `output ${i} kind ${out.address.kind}`);
    }
  }
}

/** No outpoint spent twice ("bad-txns-inputs-duplicate"). */
export function checkNoDuplicateInputs(tx: Tx): void {
  const seen = new Set<string>();
  for (const input of tx.inputs) {
    const key = outpointKey(input.prevout);
    if (seen.has(key)) reject("bad-txns-inputs-duplicate", key);
    seen.add(key);
  }
}

/**
 * A coinbase carries no witnesses ("bad-cb-witness"); any other transaction spends no null
 * outpoint ("bad-txns-prevout-null").
 */
export function checkCoinbaseShape(tx: Tx): void {
  if (isCoinbase(tx)) {
    if (tx.witnesses.length !== 0) reject("bad-cb-witness");
    return;
  }
  if (tx.inputs.some((i) => isNullOutPoint(i.prevout))) reject("bad-txns-prevout-null");
}

/**
 * All transaction-alone rules, in order: non-empty, witness count, size, output values, output
 * kinds, duplicate inputs, coinbase shape. Returns the output total.
 *
 * @example
 * ```ts
 * import { checkTxSanity } from "./check_tx_sanity.ts";
 * import { genesisCoinbase } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(checkTxSanity(genesisCoinbase(REGTEST), REGTEST)); // 0n
 * ```
 */
export function checkTxSanity(tx: Tx, params: NetworkParams): bigint {
  checkTxNotEmpty(tx);
  checkWitnessCount(tx);
  checkTxSize(tx, params);
  const total = checkOutputValues(tx);
  checkOutputKinds(tx);
  checkNoDuplicateInputs(tx);
  checkCoinbaseShape(tx);
  return total;
}
