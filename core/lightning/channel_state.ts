/**
 * The channel update protocol as a pure state machine (BOLT 2 "Normal Operation", adapted to rnt;
 * PROTOCOL.md §9.9). A {@link ChannelState} is plain data; every transition takes a state and
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
import { paymentHashOf } from "./invoice.ts";
import { ChannelError } from "./channel_error.ts";
import { commitmentFeeResonances, isDustHtlc, MRES_PER_RESONANCE } from "./channel_fee.ts";
import type { ChannelMessage, RevokeAndAck } from "./channel_messages.ts";
import {
  CHANNEL_ID_BYTES,
  COMMITMENT_SIGNATURE_BYTES,
  MAX_FAIL_REASON_BYTES,
} from "./channel_messages.ts";
import type {
  ChannelPartyParams,
  ChannelSide,
  CommitmentSpec,
  HtlcSpec,
} from "./commitment_spec.ts";
import { perCommitmentPoint } from "./commitment_keys.ts";
import { decodeOnionPublicKey } from "./onion_keys.ts";
import {
  decodeShachainStore,
  encodeShachainStore,
  FIRST_COMMITMENT_INDEX,
  perCommitmentSecret,
  ShachainError,
  ShachainStore,
} from "./shachain.ts";
import { ONION_PACKET_BYTES } from "./sphinx.ts";

/** BOLT 2's cap on `max_accepted_htlcs`. */
export const MAX_ACCEPTED_HTLCS_LIMIT = 483;
/**
 * Most updates pending at once (not yet irrevocably committed on both sides): HTLC adds and
 * removals stay far below it (2 × 2 × 483); it bounds a peer that sends `update_fee` forever.
 */
export const MAX_LOGGED_UPDATES = 4096;
/** Highest fee rate (resonances per 1000 bytes) a u32 on the wire can carry. */
export const MAX_FEERATE_PER_KB = 0xffff_ffff;

/**
 * Limits one side sets (in `ln_open_channel` / `ln_accept_channel`) on what the OTHER side may
 * offer it, as BOLT 2's `channel_reserve`, `max_accepted_htlcs`, `max_htlc_value_in_flight_msat`
 * and `htlc_minimum_msat`.
 */
export interface ChannelLimits {
  /** Balance the other side must keep; it may not offer HTLCs (or, as funder, fees) below it. */
  readonly reserveMres: bigint;
  /** Most HTLCs the other side may have offered at once (1 … 483). */
  readonly maxAcceptedHtlcs: number;
  /** Most value, milli-resonances, of the HTLCs the other side has offered at once. */
  readonly maxHtlcValueInFlightMres: bigint;
  /** Smallest HTLC accepted, milli-resonances (HTLCs of 0 are refused in any case). */
  readonly htlcMinimumMres: bigint;
}

/** The fixed facts of a channel once funding is locked. */
export interface ChannelConfig {
  /** 32-byte channel id (BOLT 2: funding txid XOR output index). */
  readonly channelId: Uint8Array;
  /** The side that funded the channel and pays the commitment fee. */
  readonly funder: ChannelSide;
  /** The funding output's value, milli-resonances. */
  readonly capacityMres: bigint;
  readonly localParams: ChannelPartyParams;
  readonly remoteParams: ChannelPartyParams;
  /** Set by the local side: bound what the remote side offers. */
  readonly localLimits: ChannelLimits;
  /** Set by the remote side: bound what the local side offers. */
  readonly remoteLimits: ChannelLimits;
}

/** An HTLC as the channel keeps it: its spec and the onion it came with. */
export interface ChannelHtlc extends HtlcSpec {
  /** The 1365-byte onion packet (§9.3) of `update_add_htlc`. */
  readonly onion: Uint8Array;
}

/** One change to the channel, proposed by one side. */
export type ChannelUpdate =
  | { readonly kind: "add"; readonly htlc: ChannelHtlc }
  | { readonly kind: "fulfill"; readonly htlcId: bigint; readonly preimage: Uint8Array }
  | { readonly kind: "fail"; readonly htlcId: bigint; readonly reason: Uint8Array }
  | { readonly kind: "fee"; readonly feeratePerKb: number };

/**
 * An update not yet irrevocably committed on both sides, with the commitments it is in:
 * `inLocal` / `inRemote` is the number of the first local / remote commitment that includes it
 * (null: not yet).
 */
export interface LoggedUpdate {
  readonly from: ChannelSide;
  readonly update: ChannelUpdate;
  inLocal: bigint | null;
  inRemote: bigint | null;
}

/** What both sides have irrevocably committed: the starting point of every new commitment. */
export interface ChannelBase {
  localBalanceMres: bigint;
  remoteBalanceMres: bigint;
  feeratePerKb: number;
  /** In ascending (offeredBy, id) order. */
  htlcs: ChannelHtlc[];
}

/** A commitment the local side holds, with the remote's signature that makes it publishable. */
export interface LocalCommitment {
  readonly number: bigint;
  readonly spec: CommitmentSpec;
  readonly signature: Uint8Array;
}

/** A commitment the remote side holds: its spec, its per-commitment point, our signature on it. */
export interface RemoteCommitment {
  readonly number: bigint;
  readonly spec: CommitmentSpec;
  readonly point: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * The whole state of one channel, plain data (serialised by `encodeChannelState`). Transitions
 * never mutate a state they are given.
 */
export interface ChannelState {
  readonly config: ChannelConfig;
  /** Our per-commitment seed (§9.5): secret, kept only in the channel's own storage. */
  readonly localSeed: Uint8Array;
  /** False from a disconnection until the peer's `channel_reestablish` has been processed. */
  connected: boolean;
  localCommit: LocalCommitment;
  remoteCommit: RemoteCommitment;
  /** The remote's previous commitment while it is not yet revoked (we await `revoke_and_ack`). */
  remotePrevCommit: RemoteCommitment | null;
  /** Point of the remote's commitment after `remoteCommit`; null while awaiting a revocation. */
  remoteNextPoint: Uint8Array | null;
  /** The remote's revealed per-commitment secrets (`encodeShachainStore` bytes). */
  remoteSecrets: Uint8Array;
  base: ChannelBase;
  log: LoggedUpdate[];
  /** The id the next HTLC offered by each side must have. */
  nextHtlcId: { local: bigint; remote: bigint };
  /** Which of our `commitment_signed` / `revoke_and_ack` was sent last (retransmission order). */
  lastSent: "commit" | "revoke" | null;
}

/**
 * Signs and checks commitments; implemented by the transaction builder with the funding keys.
 * Both calls see the same `CommitmentSpec` contents (sides named from the caller's point of view).
 */
export interface CommitmentSigner {
  /** Our signature on the remote side's commitment `spec` built with its `perCommitmentPoint`. */
  signRemoteCommitment(spec: CommitmentSpec, perCommitmentPoint: Uint8Array): Uint8Array;
  /** Whether `signature` is the remote side's valid signature on our commitment `spec`. */
  verifyLocalCommitment(
    spec: CommitmentSpec,
    perCommitmentPoint: Uint8Array,
    signature: Uint8Array,
  ): boolean;
}

/** What the node must do after a transition, besides sending the messages. */
export type ChannelEvent =
  /** A remote-offered HTLC is irrevocably committed: forward it or settle it (it is ours now). */
  | { readonly type: "htlc-locked-in"; readonly htlc: ChannelHtlc }
  /** The remote fulfilled our HTLC: the preimage may be used upstream at once (may repeat after a reconnection). */
  | { readonly type: "htlc-fulfilled"; readonly id: bigint; readonly preimage: Uint8Array }
  /** The remote's failure of our HTLC is irrevocably committed: fail it upstream. */
  | { readonly type: "htlc-failed"; readonly id: bigint; readonly reason: Uint8Array };

/** The result of a local action: the new state and the message to send. */
export interface ChannelAction<M extends ChannelMessage = ChannelMessage> {
  readonly state: ChannelState;
  readonly message: M;
}

/** The result of a received message: the new state, the replies to send, the events. */
export interface ChannelReceipt {
  readonly state: ChannelState;
  readonly replies: readonly ChannelMessage[];
  readonly events: readonly ChannelEvent[];
}

/** Everything needed to start the update protocol once funding is locked. */
export interface ChannelOpening {
  readonly config: ChannelConfig;
  /** Our per-commitment seed (32 random bytes). */
  readonly localSeed: Uint8Array;
  /** The fee rate of the first commitments, resonances per 1000 bytes. */
  readonly feeratePerKb: number;
  /** Given by the funder to the other side at opening (BOLT 2 `push_msat`). */
  readonly pushMres: bigint;
  /** The remote's points of its commitments 0 and 1 (`first_per_commitment_point`, `channel_ready`). */
  readonly remotePoints: readonly [Uint8Array, Uint8Array];
  /** The remote's signature on our commitment 0 (`funding_signed` / `funding_created`). */
  readonly localCommitSignature: Uint8Array;
  /** Our signature on the remote's commitment 0. */
  readonly remoteCommitSignature: Uint8Array;
}

/** A request to offer an HTLC. */
export interface HtlcRequest {
  readonly amountMres: bigint;
  readonly paymentHash: Uint8Array;
  readonly expirySecs: number;
  readonly onion: Uint8Array;
}

/** The other side. */
export function otherSide(side: ChannelSide): ChannelSide {
  return side === "local" ? "remote" : "local";
}

/**
 * The state of a channel whose funding is locked, at commitment 0 on both sides. Checks the
 * configuration (RangeError on misuse) and that `localCommitSignature` signs our commitment 0
 * (ChannelError `bad-signature`).
 */
export function createChannel(opening: ChannelOpening, signer: CommitmentSigner): ChannelState {
  const { config } = opening;
  checkConfig(config);
  checkLength(opening.localSeed, 32, "per-commitment seed");
  for (const point of opening.remotePoints) checkPoint(point);
  checkLength(opening.localCommitSignature, COMMITMENT_SIGNATURE_BYTES, "signature");
  checkLength(opening.remoteCommitSignature, COMMITMENT_SIGNATURE_BYTES, "signature");
  checkFeerateRange(opening.feeratePerKb);
  const draft: ChannelState = {
    config,
    localSeed: opening.localSeed.slice(),
    connected: true,
    localCommit: { number: 0n, spec: EMPTY_SPEC, signature: opening.localCommitSignature.slice() },
    remoteCommit: {
      number: 0n,
      spec: EMPTY_SPEC,
      point: opening.remotePoints[0].slice(),
      signature: opening.remoteCommitSignature.slice(),
    },
    remotePrevCommit: null,
    remoteNextPoint: opening.remotePoints[1].slice(),
    remoteSecrets: encodeShachainStore(new ShachainStore()),
    base: initialBase(config, opening.feeratePerKb, opening.pushMres),
    log: [],
    nextHtlcId: { local: 0n, remote: 0n },
    lastSent: null,
  };
  const localSpec = buildSpec(draft, "local", 0n, () => false);
  if (
    !signer.verifyLocalCommitment(localSpec, localPoint(draft, 0n), opening.localCommitSignature)
  ) {
    throw new ChannelError("bad-signature", "the signature on our commitment 0 does not verify");
  }
  draft.localCommit = { ...draft.localCommit, spec: localSpec };
  draft.remoteCommit = { ...draft.remoteCommit, spec: buildSpec(draft, "remote", 0n, () => false) };
  return draft;
}

/**
 * Both commitments numbered 0 (what `funding_created` / `funding_signed` sign): the funder holds
 * the capacity less `pushMres`, no HTLC, the fee at `feeratePerKb`. RangeError when the push is
 * outside the capacity or the funder cannot pay the fee.
 */
export function initialCommitmentSpecs(
  config: ChannelConfig,
  feeratePerKb: number,
  pushMres: bigint,
): { local: CommitmentSpec; remote: CommitmentSpec } {
  checkConfig(config);
  checkFeerateRange(feeratePerKb);
  const state = {
    config,
    base: initialBase(config, feeratePerKb, pushMres),
    log: [],
  } as unknown as ChannelState;
  return {
    local: buildSpec(state, "local", 0n, () => false),
    remote: buildSpec(state, "remote", 0n, () => false),
  };
}

function initialBase(config: ChannelConfig, feeratePerKb: number, pushMres: bigint): ChannelBase {
  if (pushMres < 0n || pushMres > config.capacityMres) {
    throw new RangeError(`push of ${pushMres} mres is outside the capacity`);
  }
  const funderBalance = config.capacityMres - pushMres;
  const fee = commitmentFeeResonances(feeratePerKb, 0) * MRES_PER_RESONANCE;
  if (funderBalance < fee) {
    throw new RangeError(`the funder's ${funderBalance} mres do not pay the first fee of ${fee}`);
  }
  return {
    localBalanceMres: config.funder === "local" ? funderBalance : pushMres,
    remoteBalanceMres: config.funder === "local" ? pushMres : funderBalance,
    feeratePerKb,
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
  return {
    state: next,
    message: {
      type: "update_add_htlc",
      channelId: state.config.channelId,
      id: htlc.id,
      amountMres: htlc.amountMres,
      paymentHash: htlc.paymentHash,
      expirySecs: htlc.expirySecs,
      onion: htlc.onion,
    },
  };
}

/** Fulfills the remote-offered HTLC `id` with its preimage (persist before sending: §9.9). */
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

/** Proposes a new fee rate (funder only), resonances per 1000 bytes. */
export function updateFee(state: ChannelState, feeratePerKb: number): ChannelAction {
  requireConnected(state);
  const next = cloneState(state);
  applyFee(next, "local", feeratePerKb);
  return {
    state: next,
    message: { type: "update_fee", channelId: state.config.channelId, feeratePerKb },
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
    case "update_fee":
      applyFee(next, "remote", message.feeratePerKb);
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
  if (decodeOnionPublicKey(message.nextPerCommitmentPoint) === undefined) {
    throw new ChannelError(
      "bad-per-commitment-point",
      "the next per-commitment point is not a canonical ristretto255 point",
    );
  }
  draft.remoteSecrets = encodeShachainStore(store);
  draft.remotePrevCommit = null;
  draft.remoteNextPoint = message.nextPerCommitmentPoint.slice();
}

// ── Shared with channel_reestablish.ts ───────────────────────────────────────────────────────

/** Our `revoke_and_ack` revoking our commitment `revoked` (its secret, the point of `revoked + 2`). */
export function revocationOf(state: ChannelState, revoked: bigint): RevokeAndAck {
  return {
    type: "revoke_and_ack",
    channelId: state.config.channelId,
    perCommitmentSecret: localSecret(state, revoked),
    nextPerCommitmentPoint: localPoint(state, revoked + 2n),
  };
}

/** The secret of our commitment `number` (§9.5: index 2⁴⁸ − 1 − number). */
export function localSecret(state: ChannelState, number: bigint): Uint8Array {
  return perCommitmentSecret(state.localSeed, FIRST_COMMITMENT_INDEX - Number(number));
}

/** The point of our commitment `number`. */
export function localPoint(state: ChannelState, number: bigint): Uint8Array {
  return perCommitmentPoint(localSecret(state, number));
}

/** The message to retransmit for a logged update of ours. */
export function messageOfUpdate(state: ChannelState, entry: LoggedUpdate): ChannelMessage {
  const channelId = state.config.channelId;
  const u = entry.update;
  switch (u.kind) {
    case "add":
      return {
        type: "update_add_htlc",
        channelId,
        id: u.htlc.id,
        amountMres: u.htlc.amountMres,
        paymentHash: u.htlc.paymentHash,
        expirySecs: u.htlc.expirySecs,
        onion: u.htlc.onion,
      };
    case "fulfill":
      return { type: "update_fulfill_htlc", channelId, id: u.htlcId, preimage: u.preimage };
    case "fail":
      return { type: "update_fail_htlc", channelId, id: u.htlcId, reason: u.reason };
    case "fee":
      return { type: "update_fee", channelId, feeratePerKb: u.feeratePerKb };
  }
}

/** A deep copy (structured clone: plain data, bigint and Uint8Array only). */
export function cloneState(state: ChannelState): ChannelState {
  return structuredClone(state);
}

/** Throws `wrong-channel` unless `channelId` is this channel's. */
export function requireChannel(state: ChannelState, channelId: Uint8Array): void {
  if (!equalBytes(channelId, state.config.channelId)) {
    throw new ChannelError("wrong-channel", "the message is for another channel");
  }
}

/** Constant-time equality of two byte strings. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Whether a ristretto255 point encoding is canonical and not the identity. */
export function isValidPoint(bytes: Uint8Array): boolean {
  return bytes.length === 32 && decodeOnionPublicKey(bytes) !== undefined;
}

/** Is the update in our commitment irrevocably (we revoke at once, so: is it in at all)? */
function irrevocableInLocal(entry: LoggedUpdate): boolean {
  return entry.inLocal !== null;
}

/** Is the update in a remote commitment whose predecessor the remote has revoked? */
function irrevocableInRemote(state: ChannelState, entry: LoggedUpdate): boolean {
  if (entry.inRemote === null) return false;
  const revokedBelow = state.remotePrevCommit === null
    ? state.remoteCommit.number
    : state.remoteCommit.number - 1n;
  return entry.inRemote <= revokedBelow;
}

/** Goes into the remote's next commitment: every update of ours, and the peer's once we acked them. */
function inNextRemote(entry: LoggedUpdate): boolean {
  return entry.inRemote !== null || entry.from === "local" || entry.inLocal !== null;
}

/** Goes into our next commitment: every update of the peer's, and ours once the peer acked them. */
function inNextLocal(state: ChannelState, entry: LoggedUpdate): boolean {
  return entry.inLocal !== null || entry.from === "remote" || irrevocableInRemote(state, entry);
}

// ── Update rules ─────────────────────────────────────────────────────────────────────────────

function applyAdd(draft: ChannelState, from: ChannelSide, htlc: ChannelHtlc): void {
  const limits = limitsOn(draft.config, from);
  if (htlc.id !== draft.nextHtlcId[from]) {
    throw new ChannelError(
      "bad-htlc-id",
      `expected HTLC id ${draft.nextHtlcId[from]}, got ${htlc.id}`,
    );
  }
  const minimum = limits.htlcMinimumMres > 1n ? limits.htlcMinimumMres : 1n;
  if (htlc.amountMres < minimum) {
    throw new ChannelError(
      "amount-below-minimum",
      `HTLC of ${htlc.amountMres} mres is below the minimum of ${minimum}`,
    );
  }
  if (!Number.isSafeInteger(htlc.expirySecs) || htlc.expirySecs <= 0) {
    throw new ChannelError("bad-expiry", `HTLC expiry ${htlc.expirySecs} is not a positive time`);
  }
  const exposure = offeredExposure(draft, from);
  if (exposure.count + 1 > limits.maxAcceptedHtlcs) {
    throw new ChannelError(
      "too-many-htlcs",
      `${exposure.count + 1} HTLCs offered, at most ${limits.maxAcceptedHtlcs} accepted`,
    );
  }
  if (exposure.valueMres + htlc.amountMres > limits.maxHtlcValueInFlightMres) {
    throw new ChannelError(
      "max-in-flight-exceeded",
      `${
        exposure.valueMres + htlc.amountMres
      } mres offered in flight, at most ${limits.maxHtlcValueInFlightMres}`,
    );
  }
  const fee = draft.config.funder === from ? worstCaseFeeMres(draft, maxFeerate(draft)) : 0n;
  const left = cautiousBalance(draft, from) - htlc.amountMres - fee;
  if (left < limits.reserveMres) {
    throw new ChannelError(
      "insufficient-balance",
      `offering ${htlc.amountMres} mres leaves ${left} mres${
        fee > 0n ? ` after a worst-case fee of ${fee}` : ""
      }, below the reserve of ${limits.reserveMres}`,
    );
  }
  pushUpdate(draft, { from, update: { kind: "add", htlc }, inLocal: null, inRemote: null });
  draft.nextHtlcId[from] = htlc.id + 1n;
}

function applyFulfill(
  draft: ChannelState,
  from: ChannelSide,
  id: bigint,
  preimage: Uint8Array,
): void {
  const htlc = removableHtlc(draft, from, id);
  if (preimage.length !== 32 || !equalBytes(paymentHashOf(preimage), htlc.paymentHash)) {
    throw new ChannelError(
      "wrong-preimage",
      `the preimage does not hash to HTLC ${id}'s payment hash`,
    );
  }
  pushUpdate(draft, {
    from,
    update: { kind: "fulfill", htlcId: id, preimage: preimage.slice() },
    inLocal: null,
    inRemote: null,
  });
}

function applyFail(draft: ChannelState, from: ChannelSide, id: bigint, reason: Uint8Array): void {
  removableHtlc(draft, from, id);
  pushUpdate(draft, {
    from,
    update: { kind: "fail", htlcId: id, reason: reason.slice() },
    inLocal: null,
    inRemote: null,
  });
}

function applyFee(draft: ChannelState, from: ChannelSide, feeratePerKb: number): void {
  if (draft.config.funder !== from) {
    throw new ChannelError("not-funder", `update_fee from the ${from} side, which does not fund`);
  }
  if (
    !Number.isSafeInteger(feeratePerKb) || feeratePerKb < 1 || feeratePerKb > MAX_FEERATE_PER_KB
  ) {
    throw new ChannelError("bad-feerate", `fee rate ${feeratePerKb} is not in [1, 2^32 - 1]`);
  }
  const rate = Math.max(maxFeerate(draft), feeratePerKb);
  const fee = worstCaseFeeMres(draft, rate);
  const balance = cautiousBalance(draft, from);
  if (balance < fee) {
    throw new ChannelError(
      "fee-unaffordable",
      `the funder's ${balance} mres do not pay the worst-case fee of ${fee} at ${rate} per kB`,
    );
  }
  pushUpdate(draft, { from, update: { kind: "fee", feeratePerKb }, inLocal: null, inRemote: null });
}

function pushUpdate(draft: ChannelState, entry: LoggedUpdate): void {
  if (draft.log.length >= MAX_LOGGED_UPDATES) {
    throw new ChannelError(
      "too-many-updates",
      `${draft.log.length} updates are pending, at most ${MAX_LOGGED_UPDATES}`,
    );
  }
  draft.log.push(entry);
}

/** The HTLC offered by the other side than `from`, committed on both sides and not being removed. */
function removableHtlc(draft: ChannelState, from: ChannelSide, id: bigint): ChannelHtlc {
  const offeredBy = otherSide(from);
  const htlc = draft.base.htlcs.find((h) => h.offeredBy === offeredBy && h.id === id);
  if (htlc === undefined) {
    const pending = draft.log.some((e) =>
      e.update.kind === "add" && e.from === offeredBy && e.update.htlc.id === id
    );
    if (pending) {
      throw new ChannelError("htlc-not-committed", `HTLC ${id} is not irrevocably committed yet`);
    }
    throw new ChannelError("unknown-htlc", `no HTLC ${id} offered by the ${offeredBy} side`);
  }
  const removing = draft.log.some((e) =>
    e.from === from && e.update.kind !== "add" && e.update.kind !== "fee" &&
    e.update.htlcId === id
  );
  if (removing) throw new ChannelError("unknown-htlc", `HTLC ${id} is already being removed`);
  return htlc;
}

/** The limits that bound what `from` offers: those set by the other side. */
function limitsOn(config: ChannelConfig, from: ChannelSide): ChannelLimits {
  return from === "local" ? config.remoteLimits : config.localLimits;
}

/**
 * HTLCs offered by `side` that some commitment may still hold: committed ones and pending adds,
 * counting those being removed until the removal is irrevocable. Never below what any
 * commitment holds, and the receiver's count is never above the sender's (§9.9).
 */
function offeredExposure(
  state: ChannelState,
  side: ChannelSide,
): { count: number; valueMres: bigint } {
  let count = 0;
  let valueMres = 0n;
  for (const h of state.base.htlcs) {
    if (h.offeredBy !== side) continue;
    count++;
    valueMres += h.amountMres;
  }
  for (const e of state.log) {
    if (e.from !== side || e.update.kind !== "add") continue;
    count++;
    valueMres += e.update.htlc.amountMres;
  }
  return { count, valueMres };
}

/** `side`'s balance with its pending adds taken out and no pending credit counted. */
function cautiousBalance(state: ChannelState, side: ChannelSide): bigint {
  let balance = side === "local" ? state.base.localBalanceMres : state.base.remoteBalanceMres;
  for (const e of state.log) {
    if (e.from === side && e.update.kind === "add") balance -= e.update.htlc.amountMres;
  }
  return balance;
}

/** The highest fee rate any commitment may still use. */
function maxFeerate(state: ChannelState): number {
  let rate = state.base.feeratePerKb;
  for (const e of state.log) {
    if (e.update.kind === "fee") rate = Math.max(rate, e.update.feeratePerKb);
  }
  return rate;
}

/** The fee at `feeratePerKb` of a commitment with every HTLC both sides may offer, mres. */
function worstCaseFeeMres(state: ChannelState, feeratePerKb: number): bigint {
  const outputs = state.config.localLimits.maxAcceptedHtlcs +
    state.config.remoteLimits.maxAcceptedHtlcs;
  return commitmentFeeResonances(feeratePerKb, outputs) * MRES_PER_RESONANCE;
}

// ── Commitments ──────────────────────────────────────────────────────────────────────────────

const EMPTY_SPEC: CommitmentSpec = {
  owner: "local",
  commitmentNumber: 0n,
  toOwnerMres: 0n,
  toOtherMres: 0n,
  feeResonances: 0n,
  htlcs: [],
};

/** The commitment of `owner` numbered `number`: the base plus the logged updates `include` picks. */
function buildSpec(
  state: ChannelState,
  owner: ChannelSide,
  number: bigint,
  include: (entry: LoggedUpdate) => boolean,
): CommitmentSpec {
  const balance = { local: state.base.localBalanceMres, remote: state.base.remoteBalanceMres };
  let feerate = state.base.feeratePerKb;
  const htlcs = new Map<string, ChannelHtlc>();
  for (const h of state.base.htlcs) htlcs.set(htlcKey(h.offeredBy, h.id), h);
  for (const e of state.log) {
    if (!include(e)) continue;
    const u = e.update;
    if (u.kind === "add") {
      htlcs.set(htlcKey(e.from, u.htlc.id), u.htlc);
      balance[e.from] -= u.htlc.amountMres;
    } else if (u.kind === "fee") {
      feerate = u.feeratePerKb;
    } else {
      const offeredBy = otherSide(e.from);
      const key = htlcKey(offeredBy, u.htlcId);
      const htlc = htlcs.get(key);
      if (htlc === undefined) throw new Error(`internal: removal of a missing HTLC ${key}`);
      htlcs.delete(key);
      // A fulfilled HTLC pays its receiver (the fulfiller); a failed one returns to its offerer.
      balance[u.kind === "fulfill" ? e.from : offeredBy] += htlc.amountMres;
    }
  }
  const dust = owner === "local"
    ? state.config.localParams.dustLimitResonances
    : state.config.remoteParams.dustLimitResonances;
  const specs = [...htlcs.values()].map(specOfHtlc).sort(compareHtlcs);
  const outputs = specs.filter((h) => !isDustHtlc(h.amountMres, dust)).length;
  return {
    owner,
    commitmentNumber: number,
    toOwnerMres: balance[owner],
    toOtherMres: balance[otherSide(owner)],
    feeResonances: commitmentFeeResonances(feerate, outputs),
    htlcs: specs,
  };
}

/** Folds every update now irrevocably committed on both sides into the base; returns the events. */
function foldCommitted(draft: ChannelState): ChannelEvent[] {
  const events: ChannelEvent[] = [];
  const kept: LoggedUpdate[] = [];
  const base = draft.base;
  for (const e of draft.log) {
    if (!irrevocableInLocal(e) || !irrevocableInRemote(draft, e)) {
      kept.push(e);
      continue;
    }
    const u = e.update;
    if (u.kind === "add") {
      base.htlcs.push(u.htlc);
      base.htlcs.sort(compareHtlcs);
      addBalance(base, e.from, -u.htlc.amountMres);
      if (e.from === "remote") events.push({ type: "htlc-locked-in", htlc: u.htlc });
    } else if (u.kind === "fee") {
      base.feeratePerKb = u.feeratePerKb;
    } else {
      const offeredBy = otherSide(e.from);
      const at = base.htlcs.findIndex((h) => h.offeredBy === offeredBy && h.id === u.htlcId);
      if (at < 0) throw new Error(`internal: fold of a missing HTLC ${offeredBy}/${u.htlcId}`);
      const [htlc] = base.htlcs.splice(at, 1);
      addBalance(base, u.kind === "fulfill" ? e.from : offeredBy, htlc!.amountMres);
      if (u.kind === "fail" && e.from === "remote") {
        events.push({ type: "htlc-failed", id: u.htlcId, reason: u.reason });
      }
    }
  }
  draft.log = kept;
  return events;
}

function addBalance(base: ChannelBase, side: ChannelSide, deltaMres: bigint): void {
  if (side === "local") base.localBalanceMres += deltaMres;
  else base.remoteBalanceMres += deltaMres;
}

function specOfHtlc(h: ChannelHtlc): HtlcSpec {
  return {
    id: h.id,
    offeredBy: h.offeredBy,
    amountMres: h.amountMres,
    paymentHash: h.paymentHash,
    expirySecs: h.expirySecs,
  };
}

/** Ascending (offeredBy, id), as `CommitmentSpec.htlcs` is ordered. */
export function compareHtlcs(a: HtlcSpec, b: HtlcSpec): number {
  if (a.offeredBy !== b.offeredBy) return a.offeredBy === "local" ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function htlcKey(offeredBy: ChannelSide, id: bigint): string {
  return `${offeredBy}/${id}`;
}

// ── Checks ───────────────────────────────────────────────────────────────────────────────────

function requireConnected(state: ChannelState): void {
  if (!state.connected) {
    throw new ChannelError("unexpected-message", "the channel awaits channel_reestablish");
  }
}

function checkConfig(config: ChannelConfig): void {
  checkLength(config.channelId, CHANNEL_ID_BYTES, "channel id");
  if (config.capacityMres <= 0n || config.capacityMres >= 2n ** 64n) {
    throw new RangeError(`capacity must be in (0, 2^64) mres, got ${config.capacityMres}`);
  }
  for (const limits of [config.localLimits, config.remoteLimits]) {
    if (
      !Number.isInteger(limits.maxAcceptedHtlcs) || limits.maxAcceptedHtlcs < 1 ||
      limits.maxAcceptedHtlcs > MAX_ACCEPTED_HTLCS_LIMIT
    ) {
      throw new RangeError(`maxAcceptedHtlcs must be in [1, 483], got ${limits.maxAcceptedHtlcs}`);
    }
    for (const [name, v] of Object.entries(limits)) {
      if (typeof v === "bigint" && (v < 0n || v >= 2n ** 64n)) {
        throw new RangeError(`${name} must be a u64, got ${v}`);
      }
    }
  }
  for (const params of [config.localParams, config.remoteParams]) {
    if (params.dustLimitResonances < 0n || params.dustLimitResonances >= 2n ** 64n) {
      throw new RangeError(`dust limit must be a u64, got ${params.dustLimitResonances}`);
    }
  }
}

function checkFeerateRange(feeratePerKb: number): void {
  if (
    !Number.isSafeInteger(feeratePerKb) || feeratePerKb < 1 || feeratePerKb > MAX_FEERATE_PER_KB
  ) {
    throw new RangeError(`fee rate must be in [1, 2^32 - 1], got ${feeratePerKb}`);
  }
}

function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
  }
}

function checkPoint(bytes: Uint8Array): void {
  if (!isValidPoint(bytes)) {
    throw new RangeError(
      "per-commitment point is not a canonical, non-identity ristretto255 point",
    );
  }
}
