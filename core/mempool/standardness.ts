/**
 * Relay policy (not consensus): what a node accepts into its mempool before it runs the
 * consensus transaction rules. Reasons are stable kebab-case strings, as consensus ones.
 *
 * - `coinbase`: a coinbase is only valid inside a block;
 * - `tx-size`: encoded size above `maxStandardTxBytes` (default params.maxTxBytes);
 * - `nonstandard-no-witness`: inputs without witnesses (emission-return sweeps) are built by
 *   miners into their own blocks, never relayed;
 * - `bad-recovery-kind`: an output with an unknown recovery kind (consensus refuses it too);
 * - `min-relay-fee-not-met`: fee below `minRelayFeePerByte × size` (checked after the inputs are
 *   known, see {@linkcode checkRelayFee}).
 *
 * @module
 */
import { ValidationError } from "../errors.ts";
import { isKnownRecoveryKind } from "../primitives/address.ts";
import { isCoinbase, type Tx } from "../primitives/tx.ts";

/** Mempool policy settings. */
export interface RelayPolicy {
  /** Largest relayed transaction, bytes. */
  readonly maxStandardTxBytes: number;
  /** Minimum fee rate, resonances per byte. */
  readonly minRelayFeePerByte: bigint;
}

/** Throws ValidationError(policy reason) when `tx` (encoded size `sizeBytes`) is non-standard. */
export function checkStandard(tx: Tx, sizeBytes: number, policy: RelayPolicy): void {
  if (isCoinbase(tx)) throw new ValidationError("coinbase", "coinbase outside a block");
  if (sizeBytes > policy.maxStandardTxBytes) {
    throw new ValidationError(
      "tx-size",
      `transaction of ${sizeBytes} bytes exceeds ${policy.maxStandardTxBytes}`,
    );
  }
  if (tx.witnesses.length !== tx.inputs.length) {
    throw new ValidationError("nonstandard-no-witness", "inputs without witnesses");
  }
  for (const [i, out] of tx.outputs.entries()) {
    if (!isKnownRecoveryKind(out.address.kind)) {
      throw new ValidationError("bad-recovery-kind", `output ${i} has kind ${out.address.kind}`);
    }
  }
}

/** Throws "min-relay-fee-not-met" when `feeResonances < minRelayFeePerByte × sizeBytes`. */
export function checkRelayFee(feeResonances: bigint, sizeBytes: number, policy: RelayPolicy): void {
  const min = policy.minRelayFeePerByte * BigInt(sizeBytes);
  if (feeResonances < min) {
    throw new ValidationError(
      "min-relay-fee-not-met",
      `fee ${feeResonances} below ${min} for ${sizeBytes} bytes`,
    );
  }
}
