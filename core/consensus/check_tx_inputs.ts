/**
 * Stage 3 transaction rules: a non-coinbase transaction against the UTXO view and the parent
 * (PROTOCOL §5.6–§5.8). Signatures are collected, not verified: the caller batch-verifies them
 * ({@linkcode verifySignatureChecks}) after every cheap rule has passed.
 *
 * @module
 */
import type { VerifyItem } from "../crypto/ed25519.ts";
import { IN_THREAD_VERIFIER, type SignatureVerifier } from "../crypto/signature_verifier.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { checkSatisfaction, signatureChecks } from "../primitives/check_satisfaction.ts";
import type { Tx, TxOut } from "../primitives/tx.ts";
import { sighashes } from "../primitives/tx_hash.ts";
import { type ChainEntry, outpointKey, type UtxoEntry, type UtxoView } from "./chain_entry.ts";
import {
  checkRevealedPolicy,
  checkSocialCovenant,
  guardianSpendOwnerHash,
} from "./check_recovery.ts";
import { isMature } from "./coinbase_maturity.ts";
import { MAX_SUPPLY_RESONANCES, type NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";

/** What the stage-3 rules need besides the view. */
export interface TxContext {
  /** Network params. */
  readonly params: NetworkParams;
  /** The parent of the block the transaction goes in (the tip, for the mempool). */
  readonly parent: ChainEntry;
}

/** The outcome of {@linkcode checkTxInputs}. */
export interface TxInputsResult {
  /** The spent entries, by input. */
  readonly spent: readonly (readonly [string, UtxoEntry])[];
  /** Σ inputs. */
  readonly inputResonances: bigint;
  /** Σ outputs. */
  readonly outputResonances: bigint;
  /** Fee (inputs − outputs); 0 for a sweep. */
  readonly feeResonances: bigint;
  /** Value returned to the emission pool (a sweep's inputs), else 0. */
  readonly returnedResonances: bigint;
  /** True for an emission-return sweep (its zero-value output creates no UTXO). */
  readonly isSweep: boolean;
  /** Signatures to verify (all must be valid). */
  readonly signatureChecks: readonly VerifyItem[];
  /** Set on the output of a guardian spend (see UtxoEntry.pendingOwnerHash). */
  readonly pendingOwnerHash: Uint8Array | null;
}

/** Age of `entry` in MTP seconds when spent in a child of `parent`. */
export function inputAgeSecs(parent: ChainEntry, entry: UtxoEntry): number {
  return parent.mtpSecs - entry.createdMtpSecs;
}

/** `locktime` 0, or at most the parent's MTP ("bad-txns-nonfinal"). */
export function checkTxFinal(tx: Tx, parent: ChainEntry): void {
  if (tx.locktime !== 0 && parent.mtpSecs < tx.locktime) {
    reject("bad-txns-nonfinal", `locktime ${tx.locktime} > parent MTP ${parent.mtpSecs}`);
  }
}

/**
 * Coinbase outputs spend only at height ≥ creation + coinbaseMaturity
 * ("bad-txns-premature-spend-of-coinbase").
 */
export function checkCoinbaseMaturity(
  entry: UtxoEntry,
  spendHeight: number,
  params: NetworkParams,
): void {
  if (!isMature(entry, spendHeight, params)) {
    reject(
      "bad-txns-premature-spend-of-coinbase",
      `created at ${entry.height}, spent at ${spendHeight}`,
    );
  }
}

/**
 * An emission-return sweep (a non-coinbase transaction without witnesses) has exactly one
 * output, of value 0, and every input is at least `emissionReturnAgeSecs` old
 * ("bad-emission-sweep").
 */
export function checkEmissionSweep(
  tx: Tx,
  spent: readonly UtxoEntry[],
  parent: ChainEntry,
  params: NetworkParams,
): void {
  if (tx.outputs.length !== 1 || tx.outputs[0]!.value !== 0n) {
    reject("bad-emission-sweep", "a sweep has exactly one zero-value output");
  }
  for (const [i, e] of spent.entries()) {
    const age = inputAgeSecs(parent, e);
    if (age < params.emissionReturnAgeSecs) {
      reject("bad-emission-sweep", `input ${i} is ${age} s old`);
    }
  }
}

/**
 * Evaluates a revealed policy's satisfaction with signatures assumed valid: "bad-satisfaction"
 * when keys, preimages or the tree fail, "timelock-not-met" when only a timelock is missing.
 */
export function checkPolicySatisfied(
  witness: Tx["witnesses"][number],
  sighash: Uint8Array,
  mtpSecs: number,
  ageSecs: number,
): void {
  const verifySignature = () => true;
  const res = checkSatisfaction(witness.policy, witness.satisfaction, {
    sighash,
    mtpSecs,
    inputAgeSecs: ageSecs,
    verifySignature,
  });
  if (res.ok) return;
  if (res.reason === "policy-unsatisfied") {
    const unlocked = checkSatisfaction(witness.policy, witness.satisfaction, {
      sighash,
      mtpSecs: Number.MAX_SAFE_INTEGER,
      inputAgeSecs: Number.MAX_SAFE_INTEGER,
      verifySignature,
    });
    if (unlocked.ok) reject("timelock-not-met");
  }
  reject("bad-satisfaction", res.reason);
}

/**
 * All stage-3 rules for one non-coinbase transaction, in order: final, inputs present, coinbase
 * maturity, input range, inputs ≥ outputs; then either the sweep rules, or per input the policy
 * hash (or the owner's cancel of a pending recovery), recovery kind, pending-owner covenant and
 * satisfaction; then the creation covenant.
 */
export function checkTxInputs(tx: Tx, view: UtxoView, ctx: TxContext): TxInputsResult {
  const { params, parent } = ctx;
  checkTxFinal(tx, parent);
  const spendHeight = parent.height + 1;
  const spent: [string, UtxoEntry][] = [];
  let inputResonances = 0n;
  for (const input of tx.inputs) {
    const key = outpointKey(input.prevout);
    const entry = view.get(key);
    if (!entry) reject("bad-txns-inputs-missingorspent", key);
    checkCoinbaseMaturity(entry, spendHeight, params);
    if (entry.value < 0n || entry.value > MAX_SUPPLY_RESONANCES) {
      reject("bad-txns-inputvalues-outofrange", key);
    }
    inputResonances += entry.value;
    if (inputResonances > MAX_SUPPLY_RESONANCES) reject("bad-txns-inputvalues-outofrange");
    spent.push([key, entry]);
  }
  const outputResonances = tx.outputs.reduce((s, o) => s + o.value, 0n);
  if (inputResonances < outputResonances) {
    reject("bad-txns-in-belowout", `in ${inputResonances} < out ${outputResonances}`);
  }
  const entries = spent.map(([, e]) => e);
  if (tx.witnesses.length === 0) {
    checkEmissionSweep(tx, entries, parent, params);
    return {
      spent,
      inputResonances,
      outputResonances,
      feeResonances: 0n,
      returnedResonances: inputResonances,
      isSweep: true,
      signatureChecks: [],
      pendingOwnerHash: null,
    };
  }
  const spentOuts: TxOut[] = entries.map((e) => ({ value: e.value, address: e.address }));
  const hashes = sighashes(params.magic, tx, spentOuts);
  const checks: VerifyItem[] = [];
  let pendingOwnerHash: Uint8Array | null = null;
  for (const [i, entry] of entries.entries()) {
    const witness = tx.witnesses[i]!;
    checkRevealedPolicy(entry, witness.policy, params, i);
    checkPolicySatisfied(witness, hashes[i]!, parent.mtpSecs, inputAgeSecs(parent, entry));
    if (entry.address.kind === RecoveryKind.social) {
      pendingOwnerHash ??= guardianSpendOwnerHash(witness.policy, witness.satisfaction);
    }
    checks.push(...signatureChecks(witness.satisfaction, hashes[i]!));
  }
  checkSocialCovenant(tx, pendingOwnerHash);
  return {
    spent,
    inputResonances,
    outputResonances,
    feeResonances: inputResonances - outputResonances,
    returnedResonances: 0n,
    isSweep: false,
    signatureChecks: checks,
    pendingOwnerHash,
  };
}

/**
 * Batch-verifies signature checks with `verifier` (default: in-thread `verifyBatch`; the node
 * may inject a worker pool); "bad-satisfaction" if any fails.
 */
export async function verifySignatureChecks(
  checks: readonly VerifyItem[],
  verifier: SignatureVerifier = IN_THREAD_VERIFIER,
): Promise<void> {
  if (checks.length === 0) return;
  const ok = await verifier.verify(checks);
  const bad = ok.indexOf(false);
  if (bad >= 0) reject("bad-satisfaction", `signature ${bad} is invalid`);
}
