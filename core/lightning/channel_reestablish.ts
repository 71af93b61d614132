/**
 * Reconnection of a channel (BOLT 2 "Message Retransmission", PROTOCOL.md §9.8): what each side
 * forgets when the connection drops, the `channel_reestablish` it sends on reconnecting, and what
 * it retransmits after reading the peer's.
 *
 * On a disconnection a side forgets the peer's updates that no `commitment_signed` it received
 * covers (the peer sends them again) and keeps its own. On the peer's `channel_reestablish` it
 * retransmits, in the order first sent: its `revoke_and_ack` if the peer lacks it; its updates the
 * peer's current commitment lacks and its `commitment_signed` if the peer never got it; then its
 * updates no `commitment_signed` has covered yet.
 *
 * @module
 */
import { ChannelError } from "./channel_error.ts";
import type { ChannelMessage, ChannelReestablish } from "./channel_messages.ts";
import type { ChannelState } from "./channel_types.ts";
import {
  cloneState,
  equalBytes,
  localPoint,
  localSecret,
  messageOfUpdate,
  requireChannel,
  revocationOf,
} from "./_channel_util.ts";
import { decodeShachainStore, FIRST_COMMITMENT_INDEX } from "./shachain.ts";

/**
 * The state after the connection to the peer dropped (or after loading it at start): the peer's
 * uncommitted updates are forgotten (its next HTLC id goes back to the first forgotten add's) and
 * only `channel_reestablish` is accepted until {@link receiveReestablish}. Idempotent.
 *
 * @example
 * ```ts ignore
 * let state = disconnectChannel(loaded);
 * send(reestablishMessage(state));
 * ```
 */
export function disconnectChannel(state: ChannelState): ChannelState {
  const next = cloneState(state);
  next.connected = false;
  const forgotten = next.log.filter((e) => e.from === "remote" && e.inLocal === null);
  for (const e of forgotten) {
    if (e.update.kind === "add" && e.update.htlc.id < next.nextHtlcId.remote) {
      next.nextHtlcId.remote = e.update.htlc.id;
    }
  }
  next.log = next.log.filter((e) => !(e.from === "remote" && e.inLocal === null));
  return next;
}

/** The `channel_reestablish` to send first on a new connection. */
export function reestablishMessage(state: ChannelState): ChannelReestablish {
  const revoked = revokedRemoteCount(state);
  return {
    type: "channel_reestablish",
    channelId: state.config.channelId,
    nextCommitmentNumber: state.localCommit.number + 1n,
    nextRevocationNumber: revoked,
    yourLastPerCommitmentSecret: revoked === 0n
      ? new Uint8Array(32)
      : remoteSecretOf(state, revoked - 1n),
    myCurrentPerCommitmentPoint: localPoint(state, state.localCommit.number),
  };
}

/**
 * Reads the peer's `channel_reestablish` (after {@link disconnectChannel}) and returns the
 * messages to retransmit, in order. Throws ChannelError: `unexpected-message` when connected,
 * `wrong-channel`, `bad-reestablish` when its secret is not ours or its point not the one its
 * commitment has, `peer-lost-state` when the peer is behind what it provably received,
 * `local-lost-state` when it proves that we are behind (then never publish our commitment).
 */
export function receiveReestablish(
  state: ChannelState,
  message: ChannelReestablish,
): { state: ChannelState; replies: ChannelMessage[] } {
  if (state.connected) {
    throw new ChannelError("unexpected-message", "channel_reestablish on a connected channel");
  }
  requireChannel(state, message.channelId);
  const local = state.localCommit.number;
  const remote = state.remoteCommit.number;
  const awaiting = state.remotePrevCommit !== null;
  const theirs = message.nextCommitmentNumber - 1n;
  const revokedByUs = message.nextRevocationNumber;

  // The peer proves it holds revocations we never gave: only possible if we lost state.
  if (revokedByUs > local) {
    if (
      message.yourLastPerCommitmentSecret.length === 32 &&
      equalBytes(message.yourLastPerCommitmentSecret, localSecret(state, revokedByUs - 1n))
    ) {
      throw new ChannelError(
        "local-lost-state",
        `the peer holds the revocation of our commitment ${revokedByUs - 1n}, we are at ${local}`,
      );
    }
    throw new ChannelError("bad-reestablish", "the peer claims revocations it cannot prove");
  }
  const expectedSecret = revokedByUs === 0n
    ? new Uint8Array(32)
    : localSecret(state, revokedByUs - 1n);
  if (!equalBytes(message.yourLastPerCommitmentSecret, expectedSecret)) {
    throw new ChannelError("bad-reestablish", "your_last_per_commitment_secret is not ours");
  }
  if (theirs > remote) {
    throw new ChannelError(
      "local-lost-state",
      `the peer is at commitment ${theirs}, we signed only up to ${remote}`,
    );
  }
  const resendCommit = awaiting && theirs === remote - 1n;
  if (theirs !== remote && !resendCommit) {
    throw new ChannelError(
      "peer-lost-state",
      `the peer is at commitment ${theirs}, it has ${remote}${
        awaiting ? ` or ${remote - 1n}` : ""
      }`,
    );
  }
  const expectedPoint = resendCommit ? state.remotePrevCommit!.point : state.remoteCommit.point;
  // A zero point with no revocation is the message of a side that has nothing (restored from a
  // static backup, PROTOCOL §9.10): lost state even while both are still at commitment 0.
  if (revokedByUs === 0n && message.myCurrentPerCommitmentPoint.every((b) => b === 0)) {
    throw new ChannelError(
      "peer-lost-state",
      "the peer sent no commitment point and no revocation: it lost its state",
    );
  }
  if (!equalBytes(message.myCurrentPerCommitmentPoint, expectedPoint)) {
    throw new ChannelError(
      "bad-reestablish",
      `the point of the peer's commitment ${theirs} differs`,
    );
  }
  if (revokedByUs < local - 1n) {
    throw new ChannelError(
      "peer-lost-state",
      `the peer holds ${revokedByUs} revocations of ours, we gave ${local}`,
    );
  }

  const replies: ChannelMessage[] = [];
  const revocation = revokedByUs === local - 1n ? revocationOf(state, local - 1n) : null;
  const commitment: ChannelMessage[] = [];
  if (resendCommit) {
    for (const e of state.log) {
      if (e.from === "local" && e.inRemote === remote) commitment.push(messageOfUpdate(state, e));
    }
    commitment.push({
      type: "commitment_signed",
      channelId: state.config.channelId,
      signature: state.remoteCommit.signature,
    });
  }
  // Both lost: resend in the order first sent (the commitment covers the peer's updates we
  // acknowledged by that revocation only if the revocation went first).
  if (revocation !== null && state.lastSent === "commit") replies.push(revocation);
  replies.push(...commitment);
  if (revocation !== null && state.lastSent !== "commit") replies.push(revocation);
  for (const e of state.log) {
    if (e.from === "local" && e.inRemote === null) replies.push(messageOfUpdate(state, e));
  }
  const next = cloneState(state);
  next.connected = true;
  return { state: next, replies };
}

/** How many of the remote's commitments it has revoked (0 … number − 1). */
function revokedRemoteCount(state: ChannelState): bigint {
  return state.remotePrevCommit === null
    ? state.remoteCommit.number
    : state.remoteCommit.number - 1n;
}

/** The remote's revealed secret of its commitment `number`. */
function remoteSecretOf(state: ChannelState, number: bigint): Uint8Array {
  return decodeShachainStore(state.remoteSecrets).secretAt(FIRST_COMMITMENT_INDEX - Number(number));
}
