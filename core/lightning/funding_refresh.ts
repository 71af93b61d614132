/**
 * The channel heartbeat (PROTOCOL.md §9.7 "Heartbeat of a channel"): an output older than
 * `emissionReturnAgeSecs` may be swept into the emission pool by any miner (§5.8), the funding
 * output included, and a swept funding output kills every commitment. So both sides re-create it
 * in time: the funder proposes a **funding refresh** (`buildFundingRefreshTx`: the funding output
 * into the same funding address, value − fee, the funder's balance bearing the fee), and both
 * sides re-sign their current commitments (same numbers, same per-commitment points, the funder's
 * balance lowered by the fee) on the new outpoint. Revocation state carries over unchanged: every
 * revoked commitment spends the old outpoint and dies with it.
 *
 * Everything here is a pure function of the channel state, the network magic and the local
 * funding seed; the node (node/lightning/funding_refresher.ts) drives the messages
 * (`refresh_propose`, `refresh_accept`, `refresh_complete`, refresh_messages.ts) and the schedule.
 *
 * Schedule: a refresh starts once the funding output's age (parent MTP − `createdMtpSecs`, the
 * quantity the §5.8 sweep rule tests) reaches half of `emissionReturnAgeSecs`; a channel whose
 * funding output reaches three quarters of it unrefreshed is force closed, leaving a quarter of
 * the age (mainnet: a year) for the commitment to confirm before a sweep could take it.
 *
 * @module
 */
import { verify } from "../crypto/ed25519.ts";
import type { OutPoint, Tx, TxOut } from "../primitives/tx.ts";
import { sighash, txid } from "../primitives/tx_hash.ts";
import { ChannelError } from "./channel_error.ts";
import { localCommitmentPoint } from "./channel_state.ts";
import type { ChannelState, CommitmentSigner } from "./channel_types.ts";
import { buildFundingRefreshTx } from "./channel_close.ts";
import type { CommitmentSpec } from "./commitment_spec.ts";
import {
  fundingOutput,
  MRES_PER_RESONANCE,
  signedFundingSpendBytes,
  signFundingSpend,
  withFundingWitness,
} from "./commitment_tx.ts";
import { fundingSigner } from "./funding_signer.ts";

/**
 * A refresh starts at this fraction (numerator, denominator) of `emissionReturnAgeSecs`: half
 * leaves as long again for the peer to come back before the deadline below.
 */
export const REFRESH_START_FRACTION = [1, 2] as const;
/**
 * A channel still unrefreshed at this fraction of `emissionReturnAgeSecs` is force closed: the
 * last quarter is for the commitment (and its claims, at most `to_self_delay` or an HTLC expiry
 * later) to confirm before a miner may sweep the funding output.
 */
export const REFRESH_DEADLINE_FRACTION = [3, 4] as const;

/** The funding-output age (seconds) at which a refresh starts. */
export function refreshStartAgeSecs(emissionReturnAgeSecs: number): number {
  return Math.floor(emissionReturnAgeSecs * REFRESH_START_FRACTION[0] / REFRESH_START_FRACTION[1]);
}

/** The funding-output age (seconds) from which an unrefreshed channel is force closed. */
export function refreshDeadlineAgeSecs(emissionReturnAgeSecs: number): number {
  return Math.floor(
    emissionReturnAgeSecs * REFRESH_DEADLINE_FRACTION[0] / REFRESH_DEADLINE_FRACTION[1],
  );
}

/** What a channel's funding output needs at its age: nothing yet, a refresh, or a force close. */
export type RefreshDue = "wait" | "refresh" | "force-close";

/**
 * What the funding output needs when it is `ageSecs` old (the tip's MTP less the output's
 * `createdMtpSecs`: the next block's sweep rule compares exactly this with the age limit).
 *
 * @example
 * ```ts
 * import { refreshDue } from "./funding_refresh.ts";
 * console.log(refreshDue(1000, 3600), refreshDue(1800, 3600), refreshDue(2700, 3600));
 * // wait refresh force-close
 * ```
 */
export function refreshDue(ageSecs: number, emissionReturnAgeSecs: number): RefreshDue {
  if (ageSecs >= refreshDeadlineAgeSecs(emissionReturnAgeSecs)) return "force-close";
  if (ageSecs >= refreshStartAgeSecs(emissionReturnAgeSecs)) return "refresh";
  return "wait";
}

/**
 * The fee of a refresh: the channel's commitment fee rate times the signed size of a one-output
 * funding spend. Both sides compute it from the same state, so the proposal must carry exactly it.
 */
export function refreshFeeResonances(state: ChannelState): bigint {
  return BigInt(state.base.feeratePerByte) * BigInt(signedFundingSpendBytes(1));
}

/**
 * Whether the channel may start (or accept) a refresh now: connected and reestablished, no update
 * pending on either side, the peer's previous commitment revoked, the next point known. Then both
 * current commitments hold exactly the base state, and re-signing them is all a refresh changes.
 */
export function refreshReady(state: ChannelState): boolean {
  return state.connected && state.log.length === 0 && state.remotePrevCommit === null &&
    state.remoteNextPoint !== null;
}

/** What the node passes besides the state. */
export interface RefreshKeys {
  /** Network magic every sighash commits to. */
  readonly magic: Uint8Array;
  /** The current funding outpoint. */
  readonly fundingOutpoint: OutPoint;
  /** Our funding key's RFC 8032 seed. */
  readonly fundingSeed: Uint8Array;
}

/** One refresh, computed alike by both sides from the same state and fee. */
export interface FundingRefreshPlan {
  readonly feeResonances: bigint;
  /** The funding output being spent (old value). */
  readonly oldOutput: TxOut;
  /** The refresh transaction, unsigned. */
  readonly tx: Tx;
  /** Its one output: the channel's funding outpoint once it confirms. */
  readonly newOutpoint: OutPoint;
  /**
   * The channel after the refresh: capacity and the funder's balance lowered by the fee, both
   * commitments rebuilt on it (signatures still the old ones until {@link refreshedChannel}).
   */
  readonly state: ChannelState;
  /** Our signature on the peer's rebuilt commitment (spending the new outpoint). */
  readonly ourCommitSignature: Uint8Array;
  /** Our funding key's signature on the refresh transaction. */
  readonly ourRefreshSignature: Uint8Array;
}

/**
 * Plans the refresh of `state`'s funding output at `feeResonances`. ChannelError
 * `unexpected-message` when the channel is not {@link refreshReady}, `bad-feerate` when the fee
 * is not {@link refreshFeeResonances}, `fee-unaffordable` when the funder's balance cannot bear
 * the refresh fee on top of the commitment fee.
 */
export function planFundingRefresh(
  state: ChannelState,
  keys: RefreshKeys,
  feeResonances: bigint,
): FundingRefreshPlan {
  if (!refreshReady(state)) {
    throw new ChannelError(
      "unexpected-message",
      "a funding refresh needs a reestablished channel with no update in flight",
    );
  }
  return replanFundingRefresh(state, keys, feeResonances);
}

/**
 * The plan of a refresh already agreed on `state` (after a restart, while the peer is away):
 * as {@link planFundingRefresh} without the connection check. The channel must not have moved
 * since (the node freezes it during a refresh); ChannelError `unexpected-message` when an
 * update is pending.
 */
export function replanFundingRefresh(
  state: ChannelState,
  keys: RefreshKeys,
  feeResonances: bigint,
): FundingRefreshPlan {
  if (state.log.length !== 0 || state.remotePrevCommit !== null) {
    throw new ChannelError("unexpected-message", "the channel moved since the refresh was agreed");
  }
  const expected = refreshFeeResonances(state);
  if (feeResonances !== expected) {
    throw new ChannelError(
      "bad-feerate",
      `the refresh fee must be ${expected} resonances, got ${feeResonances}`,
    );
  }
  const c = state.config;
  const feeMres = feeResonances * MRES_PER_RESONANCE;
  const funderBalance = c.funder === "local"
    ? state.base.localBalanceMres
    : state.base.remoteBalanceMres;
  const commitFeeMres = state.localCommit.spec.feeResonances * MRES_PER_RESONANCE;
  if (funderBalance < feeMres + commitFeeMres) {
    throw new ChannelError(
      "fee-unaffordable",
      `the funder's balance of ${funderBalance} mres cannot bear a refresh fee of ${feeMres} mres`,
    );
  }
  const oldOutput = fundingOutput(
    c.localParams.fundingKey,
    c.remoteParams.fundingKey,
    c.capacityMres / MRES_PER_RESONANCE,
  ).output;
  const tx = buildFundingRefreshTx(keys.fundingOutpoint, oldOutput, feeResonances);
  const newOutpoint = { txid: txid(keys.magic, tx), vout: 0 };
  const lower = (spec: CommitmentSpec): CommitmentSpec =>
    spec.owner === c.funder
      ? { ...spec, toOwnerMres: spec.toOwnerMres - feeMres }
      : { ...spec, toOtherMres: spec.toOtherMres - feeMres };
  const cloned = structuredClone(state);
  const next: ChannelState = {
    ...cloned,
    config: { ...cloned.config, capacityMres: c.capacityMres - feeMres },
  };
  if (c.funder === "local") next.base.localBalanceMres -= feeMres;
  else next.base.remoteBalanceMres -= feeMres;
  next.localCommit = { ...next.localCommit, spec: lower(next.localCommit.spec) };
  next.remoteCommit = { ...next.remoteCommit, spec: lower(next.remoteCommit.spec) };
  const signer = newSigner(next, keys, newOutpoint);
  return {
    feeResonances,
    oldOutput,
    tx,
    newOutpoint,
    state: next,
    ourCommitSignature: signer.signRemoteCommitment(
      next.remoteCommit.spec,
      next.remoteCommit.point,
    ),
    ourRefreshSignature: signFundingSpend(
      keys.magic,
      tx,
      oldOutput,
      keys.fundingSeed,
      c.localParams.fundingKey,
    ).signature,
  };
}

/**
 * Checks the peer's signatures: `commit` on our rebuilt commitment (spending the new outpoint),
 * `refresh` (when given) on the refresh transaction. ChannelError `bad-signature` when one fails.
 */
export function checkRefreshSignatures(
  plan: FundingRefreshPlan,
  keys: RefreshKeys,
  theirs: { readonly commit: Uint8Array; readonly refresh?: Uint8Array },
): void {
  const s = plan.state;
  const point = localCommitmentPoint(s, s.localCommit.number);
  const signer = newSigner(s, keys, plan.newOutpoint);
  if (!signer.verifyLocalCommitment(s.localCommit.spec, point, theirs.commit)) {
    throw new ChannelError(
      "bad-signature",
      "the signature on our refreshed commitment does not verify",
    );
  }
  if (theirs.refresh === undefined) return;
  let valid = false;
  try {
    valid = verify(
      theirs.refresh,
      sighash(keys.magic, plan.tx, 0, [plan.oldOutput]),
      s.config.remoteParams.fundingKey,
    );
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new ChannelError(
      "bad-signature",
      "the signature on the refresh transaction does not verify",
    );
  }
}

/** The refresh transaction with both funding signatures (what either side broadcasts). */
export function signedRefreshTx(plan: FundingRefreshPlan, theirRefresh: Uint8Array): Tx {
  const c = plan.state.config;
  const policy = fundingOutput(c.localParams.fundingKey, c.remoteParams.fundingKey, 0n).policy;
  return withFundingWitness(plan.tx, policy, [
    { publicKey: c.localParams.fundingKey, signature: plan.ourRefreshSignature },
    { publicKey: c.remoteParams.fundingKey, signature: theirRefresh },
  ]);
}

/**
 * The channel once the refresh confirmed: the plan's state with the peer's signature on our
 * rebuilt commitment and ours on theirs. Commitment numbers, points, revealed secrets and HTLC
 * ids are those of before.
 */
export function refreshedChannel(plan: FundingRefreshPlan, theirCommit: Uint8Array): ChannelState {
  const next = structuredClone(plan.state);
  next.localCommit = { ...next.localCommit, signature: theirCommit.slice() };
  next.remoteCommit = { ...next.remoteCommit, signature: plan.ourCommitSignature.slice() };
  return next;
}

function newSigner(state: ChannelState, keys: RefreshKeys, outpoint: OutPoint): CommitmentSigner {
  return fundingSigner(state.config, {
    magic: keys.magic,
    fundingOutpoint: outpoint,
    fundingSeed: keys.fundingSeed,
  });
}
