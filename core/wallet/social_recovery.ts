/**
 * Social recovery between wallets (PROTOCOL §5.7 covenant): guardians move a social output
 * into a pending-recovery output `or(pk(owner), and(older(delay), newOwner))`; the owner can
 * cancel until the output is `delay` old, the new owner can spend after.
 *
 * Flow: anyone builds a {@linkcode RecoveryRequest} ({@linkcode createRecoveryRequest}); each
 * guardian checks and signs it ({@linkcode signRecoveryRequest}); with `threshold` signatures
 * {@linkcode finalizeRecovery} gives the transaction. The request carries the pending policy
 * in full: the guardians check it before signing and the new owner reveals it to claim the coin
 * after the delay. The owner needs none of it to cancel: consensus accepts `pk(owner)`, whose
 * hash the pending output's `UtxoEntry` records, so the owner's wallet finds its pending
 * recoveries on chain ({@linkcode guardianSpendOf}) and cancels them (`Wallet.createCancel`).
 *
 * @module
 */
import { keyPairFromSeed, sign, verify } from "../crypto/ed25519.ts";
import { toHex } from "../crypto/keccak.ts";
import type { NetworkParams } from "../consensus/params.ts";
import { guardianSpendOwnerHash } from "../consensus/check_recovery.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { pk, type Policy } from "../primitives/policy.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import {
  matchPendingRecovery,
  matchSocial,
  pendingRecoveryPolicy,
} from "../primitives/recovery_policies.ts";
import { type KeySignature, makeSatisfaction } from "../primitives/satisfaction.ts";
import type { AddressData } from "../primitives/address.ts";
import type { OutPoint, Tx, TxOut } from "../primitives/tx.ts";
import { sighash, txid } from "../primitives/tx_hash.ts";
import { feeForSize, signedTxSize } from "./fee_sizing.ts";
import { signTx, type Wallet, type WalletCoin } from "./wallet.ts";
import { WalletError } from "./wallet_errors.ts";

/** What guardians sign: one social coin into one pending-recovery output. */
export interface RecoveryRequest {
  /** Unsigned transaction: one input, one output, no witnesses. */
  readonly tx: Tx;
  /** The social output spent. */
  readonly spent: TxOut;
  /** The social policy (revealed in the witness). */
  readonly socialPolicy: Policy;
  /** The pending-recovery policy the output commits to. */
  readonly pendingPolicy: Policy;
}

/** What a recovery request moves where: the terms the new owner asks the guardians to sign. */
export interface RecoveryTerms {
  /** The social output to recover. */
  readonly coin: WalletCoin;
  /** Its social policy. */
  readonly socialPolicy: Policy;
  /** Who may spend the pending output after the delay. */
  readonly newOwnerPolicy: Policy;
  /** The owner's window to cancel, in MTP seconds. */
  readonly cancelDelaySecs: number;
}

/**
 * Builds the request moving `coin` (a social output with policy `socialPolicy`) to
 * `or(pk(owner), and(older(cancelDelaySecs), newOwnerPolicy))`, paying `feeResonances`.
 */
export function createRecoveryRequest(
  params: NetworkParams,
  req: RecoveryTerms & { readonly feeResonances: bigint },
): RecoveryRequest {
  const social = matchSocial(req.socialPolicy);
  if (!social) throw new WalletError("bad-recovery-request", "Not a social-recovery policy");
  const pendingPolicy = pendingRecoveryPolicy(
    pk(social.owner),
    req.cancelDelaySecs,
    req.newOwnerPolicy,
  );
  if (req.feeResonances < 0n || req.feeResonances >= req.coin.value) {
    throw new WalletError("insufficient-funds", `Fee ${req.feeResonances} too large for coin`);
  }
  const request: RecoveryRequest = {
    tx: {
      version: 1,
      inputs: [{ prevout: req.coin.outpoint, sequence: 0 }],
      outputs: [{
        value: req.coin.value - req.feeResonances,
        address: { kind: RecoveryKind.pendingRecovery, hash: policyHash(pendingPolicy) },
      }],
      locktime: 0,
      witnesses: [],
    },
    spent: { value: req.coin.value, address: req.coin.address },
    socialPolicy: req.socialPolicy,
    pendingPolicy,
  };
  checkRecoveryRequest(params, request);
  return request;
}

/**
 * {@linkcode createRecoveryRequest} with the fee sized for the final transaction: the request
 * plus the `threshold` guardian signatures {@linkcode finalizeRecovery} adds, at
 * `feeRatePerByte`.
 */
export function createPaidRecoveryRequest(
  params: NetworkParams,
  req: RecoveryTerms & { readonly feeRatePerByte: bigint },
): RecoveryRequest {
  const social = matchSocial(req.socialPolicy);
  if (!social) throw new WalletError("bad-recovery-request", "Not a social-recovery policy");
  const { feeRatePerByte, ...base } = req;
  const draft = createRecoveryRequest(params, { ...base, feeResonances: 0n });
  const size = signedTxSize(draft.tx, [{ policy: req.socialPolicy, signatures: social.k }]);
  return createRecoveryRequest(params, {
    ...base,
    feeResonances: feeForSize(size, feeRatePerByte),
  });
}

/**
 * The new owner's claim of a pending recovery after the delay: `coin` (the pending-recovery
 * output of `pendingPolicy`) to `to`, signed with `secretKey` (the new owner key), the fee at
 * `feeRatePerByte` for its signed size. `WalletError("insufficient-funds")` when the coin cannot
 * pay it.
 */
export function createRecoveryClaim(
  params: NetworkParams,
  req: {
    readonly coin: WalletCoin;
    readonly pendingPolicy: Policy;
    readonly secretKey: Uint8Array;
    readonly to: AddressData;
    readonly feeRatePerByte: bigint;
  },
): Tx {
  const { coin, to } = req;
  const signer = [{ policy: req.pendingPolicy, secretKey: req.secretKey }];
  const draft: Tx = {
    version: 1,
    inputs: [{ prevout: coin.outpoint, sequence: 0 }],
    outputs: [{ value: coin.value, address: to }],
    locktime: 0,
    witnesses: [],
  };
  const fee = feeForSize(
    signedTxSize(draft, [{ policy: req.pendingPolicy, signatures: 1 }]),
    req.feeRatePerByte,
  );
  if (coin.value <= fee) throw new WalletError("insufficient-funds", "Coin cannot pay the fee");
  return signTx(params, [coin], [{ value: coin.value - fee, address: to }], 0, signer);
}

/**
 * Checks what a guardian is asked to sign: the spent output is the social policy's, the
 * transaction has one input and one pending-recovery output whose hash is the pending policy,
 * the pending policy's owner branch is exactly `pk(owner)` and its delay ≥ the network minimum.
 * Returns the parts; throws `WalletError("bad-recovery-request")`.
 */
export function checkRecoveryRequest(
  params: NetworkParams,
  req: RecoveryRequest,
): { owner: Uint8Array; delaySecs: number; newOwnerPolicy: Policy; threshold: number } {
  const bad = (m: string) => new WalletError("bad-recovery-request", m);
  const social = matchSocial(req.socialPolicy);
  if (!social) throw bad("Not a social-recovery policy");
  if (
    req.spent.address.kind !== RecoveryKind.social ||
    toHex(req.spent.address.hash) !== toHex(policyHash(req.socialPolicy))
  ) throw bad("Spent output is not this social policy's");
  const { tx } = req;
  if (tx.inputs.length !== 1 || tx.outputs.length !== 1 || tx.witnesses.length !== 0) {
    throw bad("A recovery has one input, one output and no witnesses yet");
  }
  const out = tx.outputs[0]!;
  if (
    out.address.kind !== RecoveryKind.pendingRecovery ||
    toHex(out.address.hash) !== toHex(policyHash(req.pendingPolicy))
  ) throw bad("Output is not the pending-recovery policy");
  const m = matchPendingRecovery(req.pendingPolicy);
  if (!m) throw bad("Not a pending-recovery policy");
  if (toHex(policyHash(m.ownerPolicy)) !== toHex(policyHash(pk(social.owner)))) {
    throw bad("Pending owner branch is not the original owner");
  }
  if (m.delaySecs < params.socialRecoveryMinDelaySecs) {
    throw bad(`Cancel delay ${m.delaySecs} below ${params.socialRecoveryMinDelaySecs}`);
  }
  if (out.value > req.spent.value) throw bad("Output exceeds the spent value");
  return {
    owner: social.owner,
    delaySecs: m.delaySecs,
    newOwnerPolicy: m.newOwnerPolicy,
    threshold: social.k,
  };
}

/** A guardian's signature on a checked request; the key must be one of the guardians. */
export function signRecoveryRequest(
  params: NetworkParams,
  req: RecoveryRequest,
  guardianSecretKey: Uint8Array,
): KeySignature {
  checkRecoveryRequest(params, req);
  const { publicKey } = keyPairFromSeed(guardianSecretKey);
  const social = matchSocial(req.socialPolicy)!;
  if (!social.guardians.some((g) => toHex(g) === toHex(publicKey))) {
    throw new WalletError("bad-recovery-request", "This key is not a guardian of the policy");
  }
  return {
    publicKey,
    signature: sign(guardianSecretKey, sighash(params.magic, req.tx, 0, [req.spent])),
  };
}

/**
 * The signed recovery transaction from at least `threshold` valid guardian signatures
 * (invalid, foreign and duplicate ones are dropped); `WalletError("bad-recovery-request")`
 * when too few remain.
 */
export function finalizeRecovery(
  params: NetworkParams,
  req: RecoveryRequest,
  signatures: readonly KeySignature[],
): Tx {
  const { threshold } = checkRecoveryRequest(params, req);
  const social = matchSocial(req.socialPolicy)!;
  const guardians = new Set(social.guardians.map(toHex));
  const h = sighash(params.magic, req.tx, 0, [req.spent]);
  const good = new Map<string, KeySignature>();
  for (const s of signatures) {
    const k = toHex(s.publicKey);
    if (guardians.has(k) && !good.has(k) && verify(s.signature, h, s.publicKey)) good.set(k, s);
  }
  if (good.size < threshold) {
    throw new WalletError(
      "bad-recovery-request",
      `Need ${threshold} guardian signatures, have ${good.size} valid`,
    );
  }
  return {
    ...req.tx,
    witnesses: [{
      policy: req.socialPolicy,
      satisfaction: makeSatisfaction([...good.values()].slice(0, threshold)),
    }],
  };
}

/** The pending-recovery output of a guardian spend, as an owner finds it on chain. */
export interface GuardianSpend {
  /** The pending-recovery output (output 0 of the spend). */
  readonly outpoint: OutPoint;
  /** Its address (kind pending recovery, hash of a policy the owner need not know). */
  readonly address: AddressData;
  /** What its `UtxoEntry` records: `policyHash(pk(owner))` of the social coin spent. */
  readonly pendingOwnerHash: Uint8Array;
}

/**
 * If `tx` is a guardian spend (one input spending a social output without the owner's signature,
 * one pending-recovery output: PROTOCOL §5.7), its pending output and the owner hash consensus
 * records for it; else null. Only guardian spends can create pending-recovery outputs, so one
 * that is in a block is exactly that.
 */
export function guardianSpendOf(params: NetworkParams, tx: Tx): GuardianSpend | null {
  if (tx.inputs.length !== 1 || tx.outputs.length !== 1 || tx.witnesses.length !== 1) return null;
  const out = tx.outputs[0]!;
  if (out.address.kind !== RecoveryKind.pendingRecovery) return null;
  const w = tx.witnesses[0]!;
  const pendingOwnerHash = guardianSpendOwnerHash(w.policy, w.satisfaction);
  if (!pendingOwnerHash) return null;
  return {
    outpoint: { txid: txid(params.magic, tx), vout: 0 },
    address: out.address,
    pendingOwnerHash,
  };
}

/** How many guardian-branch keys are searched for a guardian or new-owner key of a wallet. */
export const GUARDIAN_KEY_SEARCH = 100;

/**
 * The index of the first of `wallet`'s guardian-branch keys (0 to {@linkcode GUARDIAN_KEY_SEARCH}
 * − 1) that is one of `keys`; undefined when none is.
 */
export function findGuardianIndex(
  wallet: Wallet,
  keys: readonly Uint8Array[],
): number | undefined {
  const wanted = new Set(keys.map(toHex));
  for (let i = 0; i < GUARDIAN_KEY_SEARCH; i++) {
    if (wanted.has(toHex(wallet.guardianKey(i)))) return i;
  }
  return undefined;
}
