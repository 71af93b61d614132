/**
 * The channel update protocol as a pure state machine (BOLT 2 "Normal Operation", adapted to rnt;
 * PROTOCOL.md §9.8). A {@link ChannelState} is plain data; every transition takes a state and
 * returns a new one with the messages to send and the events for the node, or throws a
 * {@link ChannelError} and leaves the given state as it was. Signatures go through an injected
 * {@link CommitmentSigner}; commitments come out as `CommitmentSpec`s.
 *
 * How an update travels (BOLT 2's rule, from the sender A's side):
 * 1. A sends `update_*`: pending, in no commitment;
 * 2. A sends `commitment_signed`: the update is in B's new commitment;
 * 3. B sends `revoke_and_ack`: B's old commitment is revoked, so the update is irrevocably in B's;
 * 4. B sends `commitment_signed`: the update is in A's new commitment (B includes its peer's
 *    updates only once it has revoked a commitment without them);
 * 5. A sends `revoke_and_ack`: irrevocably committed on both sides. Only then is it folded into
 *    the channel's base state, an incoming HTLC handed on (`htlc-locked-in`), a failed outgoing
 *    one reported (`htlc-failed`), and may an HTLC be fulfilled or failed.
 *
 * A `commitment_signed` is answered at once by `revoke_and_ack` (one transition), and a side signs
 * only one commitment ahead of the peer's revocation (the peer's next point comes with it).
 *
 * @module
 */
import { ChannelError } from "./channel_error.ts";
import type { ChannelMessage, RevokeAndAck } from "./channel_messages.ts";
import { COMMITMENT_SIGNATURE_BYTES, MAX_FAIL_REASON_BYTES } from "./channel_messages.ts";
import type {
  ChannelAction,
  ChannelBase,
  ChannelConfig,
  ChannelEvent,
  ChannelHtlc,
  ChannelOpening,
  ChannelReceipt,
  ChannelState,
  CommitmentSigner,
  HtlcRequest,
} from "./channel_types.ts";
import type { CommitmentSpec } from "./commitment_spec.ts";
import { perCommitmentPoint } from "./commitment_keys.ts";
import {
  decodeShachainStore,
  encodeShachainStore,
  FIRST_COMMITMENT_INDEX,
  perCommitmentSecret,
  ShachainError,
  ShachainStore,
} from "./shachain.ts";
import { ONION_PACKET_BYTES } from "./sphinx.ts";
import { buildSpec, foldCommitted, inNextLocal, inNextRemote } from "./_channel_commitments.ts";
import {
  applyAdd,
  applyFail,
  applyFailMalformed,
  applyFee,
  applyFulfill,
} from "./_channel_rules.ts";
import {
  checkConfig,
  checkFeerateRange,
  checkLength,
  checkPoint,
  cloneState,
  equalBytes,
  isValidPoint,
  localPoint,
  messageOfUpdate,
  requireChannel,
  requireConnected,
  revocationOf,
} from "./_channel_util.ts";
import { commitmentFeeResonances, MRES_PER_RESONANCE } from "./commitment_tx.ts";

/**
 * The state of a channel whose funding is locked, at commitment 0 on both sides. Checks the
 * configuration (RangeError on misuse) and that `localCommitSignature` signs our commitment 0
 * (ChannelError `bad-signature`).
 */
export function createChannel(opening: ChannelOpening, signer: CommitmentSigner): ChannelState {
  const config = structuredClone(opening.config);
  checkConfig(config);
  checkLength(opening.localSeed, 32, "per-commitment seed");
  for (const point of opening.remotePoints) checkPoint(point);
  checkLength(opening.localCommitSignature, COMMITMENT_SIGNATURE_BYTES, "signature");
  checkLength(opening.remoteCommitSignature, COMMITMENT_SIGNATURE_BYTES, "signature");
  checkFeerateRange(opening.feeratePerByte);
  const base = initialBase(config, opening.feeratePerByte, opening.pushMres);
  const localSpec = buildSpec({ config, base, log: [] }, "local", 0n, () => false);
  const localSeed = opening.localSeed.slice();
  const point = perCommitmentPoint(perCommitmentSecret(localSeed, FIRST_COMMITMENT_INDEX));
  if (!signer.verifyLocalCommitment(localSpec, point, opening.localCommitSignature)) {
    throw new ChannelError("bad-signature", "the signature on our commitment 0 does not verify");
  }
  return {
    config,
    localSeed,
    connected: true,
    localCommit: { number: 0n, spec: localSpec, signature: opening.localCommitSignature.slice() },
    remoteCommit: {
      number: 0n,
      spec: buildSpec({ config, base, log: [] }, "remote", 0n, () => false),
      point: opening.remotePoints[0].slice(),
      signature: opening.remoteCommitSignature.slice(),
    },
    remotePrevCommit: null,
    remoteNextPoint: opening.remotePoints[1].slice(),
    remoteSecrets: encodeShachainStore(new ShachainStore()),
    base,
    log: [],
    nextHtlcId: { local: 0n, remote: 0n },
    lastSent: null,
  };
}

/**
 * Both commitments numbered 0 (what `funding_created` / `funding_signed` sign): the funder holds
 * the capacity less `pushMres`, no HTLC, the fee at `feeratePerByte`. RangeError when the push is
 * outside the capacity or the funder cannot pay the fee.
 */
export function initialCommitmentSpecs(
  config: ChannelConfig,
  feeratePerByte: number,
  pushMres: bigint,
): { local: CommitmentSpec; remote: CommitmentSpec } {
  checkConfig(config);
  checkFeerateRange(feeratePerByte);
  const state = { config, base: initialBase(config, feeratePerByte, pushMres), log: [] };
  return {
    local: buildSpec(state, "local", 0n, () => false),
    remote: buildSpec(state, "remote", 0n, () => false),
  };
}

function initialBase(config: ChannelConfig, feeratePerByte: number, pushMres: bigint): ChannelBase {
  if (pushMres < 0n || pushMres > config.capacityMres) {
    throw new RangeError(`push of ${pushMres} mres is outside the capacity`);
  }
  const funderBalance = config.capacityMres - pushMres;
  const fee = commitmentFeeResonances(BigInt(feeratePerByte), 0) * MRES_PER_RESONANCE;
  if (funderBalance < fee) {
    throw new RangeError(`the funder's ${funderBalance} mres do not pay the first fee of ${fee}`);
  }
  return {
    localBalanceMres: config.funder === "local" ? funderBalance : pushMres,
    remoteBalanceMres: config.funder === "local" ? pushMres : funderBalance,
    feeratePerByte,
    htlcs: [],
  };
}

// ── Local actions ────────────────────────────────────────────────────────────────────────────

/**
 * Offers an HTLC to the remote side. Throws ChannelError with the reason the remote would refuse
 * it with (the checks are the receiver's, on our own more cautious view).
 */
export function addHtlc(state: ChannelState, request: HtlcRequest): ChannelAction {
  requireConnected(state);
  checkLength(request.paymentHash, 32, "payment hash");
  checkLength(request.onion, ONION_PACKET_BYTES, "onion");
  const next = cloneState(state);
  const htlc: ChannelHtlc = {
    id: state.nextHtlcId.local,
    offeredBy: "local",
    amountMres: request.amountMres,
    paymentHash: request.paymentHash.slice(),
    expirySecs: request.expirySecs,
    onion: request.onion.slice(),
  };
  applyAdd(next, "local", htlc);
  return { state: next, message: messageOfUpdate(next, next.log[next.log.length - 1]!) };
}

/** Fulfills the remote-offered HTLC `id` with its preimage (persist before sending: §9.8). */
export function fulfillHtlc(state: ChannelState, id: bigint, preimage: Uint8Array): ChannelAction {
  requireConnected(state);
  checkLength(preimage, 32, "preimage");
  const next = cloneState(state);
  applyFulfill(next, "local", id, preimage);
  return {
    state: next,
    message: { type: "update_fulfill_htlc", channelId: state.config.channelId, id, preimage },
  };
}

/** Fails the remote-offered HTLC `id`, with the error onion to pass back (§9.4). */
export function failHtlc(state: ChannelState, id: bigint, reason: Uint8Array): ChannelAction {
  requireConnected(state);
  if (reason.length > MAX_FAIL_REASON_BYTES) {
    throw new RangeError(`fail reason of ${reason.length} bytes exceeds ${MAX_FAIL_REASON_BYTES}`);
  }
  const next = cloneState(state);
  applyFail(next, "local", id, reason);
  return {
    state: next,
    message: { type: "update_fail_htlc", channelId: state.config.channelId, id, reason },
  };
}

/**
 * Fails the remote-offered HTLC `id` whose onion we could not parse: `sha256OfOnion` of the
 * packet as received and a BOLT 4 code with the BADONION bit (`bad-failure-code` otherwise).
 */
export function failMalformedHtlc(
  state: ChannelState,
  id: bigint,
  sha256OfOnion: Uint8Array,
  failureCode: number,
): ChannelAction {
  requireConnected(state);
  checkLength(sha256OfOnion, 32, "onion hash");
  const next = cloneState(state);
  applyFailMalformed(next, "local", id, sha256OfOnion, failureCode);
  return { state: next, message: messageOfUpdate(next, next.log[next.log.length - 1]!) };
}

/** Proposes a new fee rate (funder only), resonances per byte. */
export function updateFee(state: ChannelState, feeratePerByte: number): ChannelAction {
  requireConnected(state);
  const next = cloneState(state);
  applyFee(next, "local", feeratePerByte);
  return {
    state: next,
    message: { type: "update_fee", channelId: state.config.channelId, feeratePerByte },
  };
}

/** Whether {@link signCommitment} would sign something now (changes to commit, peer ready). */
export function needsCommitment(state: ChannelState): boolean {
  return state.connected && state.remotePrevCommit === null &&
    state.log.some((e) => e.inRemote === null && inNextRemote(e));
}

/**
 * Signs the remote's next commitment with every change it must now include. Throws ChannelError
 * `awaiting-revocation` while the previous one is unrevoked and `no-changes` when nothing is new.
 */
export function signCommitment(state: ChannelState, signer: CommitmentSigner): ChannelAction {
  requireConnected(state);
  if (state.remotePrevCommit !== null || state.remoteNextPoint === null) {
    throw new ChannelError(
      "awaiting-revocation",
      `commitment ${state.remoteCommit.number - 1n} of the peer is not revoked yet`,
    );
  }
  if (!state.log.some((e) => e.inRemote === null && inNextRemote(e))) {
    throw new ChannelError("no-changes", "there is nothing to commit");
  }
  const number = state.remoteCommit.number + 1n;
  const spec = buildSpec(state, "remote", number, inNextRemote);
  const point = state.remoteNextPoint;
  const signature = signer.signRemoteCommitment(spec, point);
  checkLength(signature, COMMITMENT_SIGNATURE_BYTES, "signature");
  const next = cloneState(state);
  for (const e of next.log) if (e.inRemote === null && inNextRemote(e)) e.inRemote = number;
  next.remotePrevCommit = next.remoteCommit;
  next.remoteCommit = { number, spec, point: point.slice(), signature: signature.slice() };
  next.remoteNextPoint = null;
  next.lastSent = "commit";
  return {
    state: next,
    message: { type: "commitment_signed", channelId: state.config.channelId, signature },
  };
}

// ── Received messages ────────────────────────────────────────────────────────────────────────

/**
 * Applies a message from the peer. Throws ChannelError (state unchanged) when the message is not
 * allowed; `channel_reestablish` goes to `receiveReestablish` instead.
 */
export function receiveMessage(
  state: ChannelState,
  message: ChannelMessage,
  signer: CommitmentSigner,
): ChannelReceipt {
  if (message.type === "channel_reestablish") {
    throw new ChannelError("unexpected-message", "channel_reestablish goes to receiveReestablish");
  }
  requireConnected(state);
  requireChannel(state, message.channelId);
  const next = cloneState(state);
  const events: ChannelEvent[] = [];
  const replies: ChannelMessage[] = [];
  switch (message.type) {
    case "update_add_htlc":
      applyAdd(next, "remote", {
        id: message.id,
        offeredBy: "remote",
        amountMres: message.amountMres,
        paymentHash: message.paymentHash.slice(),
        expirySecs: message.expirySecs,
        onion: message.onion.slice(),
      });
      break;
    case "update_fulfill_htlc":
      applyFulfill(next, "remote", message.id, message.preimage);
      events.push({ type: "htlc-fulfilled", id: message.id, preimage: message.preimage.slice() });
      break;
    case "update_fail_htlc":
      applyFail(next, "remote", message.id, message.reason);
      break;
    case "update_fail_malformed_htlc":
      applyFailMalformed(next, "remote", message.id, message.sha256OfOnion, message.failureCode);
      break;
    case "update_fee":
      applyFee(next, "remote", message.feeratePerByte);
      break;
    case "commitment_signed":
      replies.push(receiveCommitment(next, message.signature, signer));
      events.push(...foldCommitted(next));
      break;
    case "revoke_and_ack":
      receiveRevocation(next, message);
      events.push(...foldCommitted(next));
      break;
  }
  return { state: next, replies, events };
}

function receiveCommitment(
  draft: ChannelState,
  signature: Uint8Array,
  signer: CommitmentSigner,
): RevokeAndAck {
  const fresh = draft.log.filter((e) => e.inLocal === null && inNextLocal(draft, e));
  if (fresh.length === 0) {
    throw new ChannelError("no-changes", "commitment_signed commits nothing new");
  }
  const number = draft.localCommit.number + 1n;
  const spec = buildSpec(draft, "local", number, (e) => inNextLocal(draft, e));
  if (!signer.verifyLocalCommitment(spec, localPoint(draft, number), signature)) {
    throw new ChannelError(
      "bad-signature",
      `the signature on our commitment ${number} does not verify`,
    );
  }
  for (const e of fresh) e.inLocal = number;
  draft.localCommit = { number, spec, signature: signature.slice() };
  draft.lastSent = "revoke";
  return revocationOf(draft, number - 1n);
}

function receiveRevocation(draft: ChannelState, message: RevokeAndAck): void {
  const prev = draft.remotePrevCommit;
  if (prev === null) {
    throw new ChannelError("unexpected-revocation", "no commitment of the peer awaits revocation");
  }
  if (
    message.perCommitmentSecret.length !== 32 ||
    !equalBytes(perCommitmentPoint(message.perCommitmentSecret), prev.point)
  ) {
    throw new ChannelError(
      "bad-revocation-secret",
      `the secret does not give the point of the peer's commitment ${prev.number}`,
    );
  }
  const store = decodeShachainStore(draft.remoteSecrets);
  try {
    store.insert(FIRST_COMMITMENT_INDEX - Number(prev.number), message.perCommitmentSecret);
  } catch (e) {
    if (e instanceof ShachainError) {
      throw new ChannelError("bad-revocation-secret", e.message);
    }
    throw e;
  }
  if (!isValidPoint(message.nextPerCommitmentPoint)) {
    throw new ChannelError(
      "bad-per-commitment-point",
      "the next per-commitment point is not a canonical ristretto255 point",
    );
  }
  draft.remoteSecrets = encodeShachainStore(store);
  draft.remotePrevCommit = null;
  draft.remoteNextPoint = message.nextPerCommitmentPoint.slice();
}

// ── Keys the node needs on chain ─────────────────────────────────────────────────────────────

/**
 * The per-commitment point of our commitment `number` (§9.6): what the transaction builder needs
 * to build and publish `state.localCommit`.
 */
export function localCommitmentPoint(state: ChannelState, number: bigint): Uint8Array {
  if (number < 0n || number > state.localCommit.number + 2n) {
    throw new RangeError(`our commitment ${number} is not one we have or announced`);
  }
  return localPoint(state, number);
}

/**
 * The secret the peer revealed for its commitment `number` (§9.5), to punish that commitment if
 * it is ever published; undefined when the peer has not revoked it.
 */
export function remoteRevocationSecret(
  state: ChannelState,
  number: bigint,
): Uint8Array | undefined {
  if (number < 0n || number > state.remoteCommit.number) return undefined;
  const store = decodeShachainStore(state.remoteSecrets);
  const index = FIRST_COMMITMENT_INDEX - Number(number);
  return store.has(index) ? store.secretAt(index) : undefined;
}
