/**
 * The data of the channel update protocol (PROTOCOL.md §9.8): a channel's fixed facts, its state
 * (plain data, serialised by `channel_state_codec.ts`), the signer the node injects, and what a
 * transition returns.
 *
 * @module
 */
import type { ChannelMessage } from "./channel_messages.ts";
import type {
  ChannelPartyParams,
  ChannelSide,
  CommitmentSpec,
  HtlcSpec,
} from "./commitment_spec.ts";

/** BOLT 2's cap on `max_accepted_htlcs`. */
export const MAX_ACCEPTED_HTLCS_LIMIT = 483;
/**
 * Most updates pending at once (not yet irrevocably committed on both sides): HTLC adds and
 * removals stay far below it (2 × 2 × 483); it bounds a peer that sends `update_fee` forever.
 */
export const MAX_LOGGED_UPDATES = 4096;
/** Highest fee rate (resonances per byte) a u32 on the wire can carry. */
export const MAX_FEERATE_PER_BYTE = 0xffff_ffff;

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
  | {
    readonly kind: "fail-malformed";
    readonly htlcId: bigint;
    readonly sha256OfOnion: Uint8Array;
    readonly failureCode: number;
  }
  | { readonly kind: "fee"; readonly feeratePerByte: number };

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
  feeratePerByte: number;
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
  | { readonly type: "htlc-failed"; readonly id: bigint; readonly reason: Uint8Array }
  /** As `htlc-failed`, for an onion the next hop could not parse: build the error packet upstream. */
  | {
    readonly type: "htlc-failed-malformed";
    readonly id: bigint;
    readonly sha256OfOnion: Uint8Array;
    readonly failureCode: number;
  };

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
  /** The fee rate of the first commitments, resonances per byte. */
  readonly feeratePerByte: number;
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
