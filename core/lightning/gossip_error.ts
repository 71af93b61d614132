/**
 * Why a gossip message was not taken into the graph (PROTOCOL.md §9.9), and what it says about
 * the peer that relayed it: a bad signature or node key is the relayer's fault (`misbehaving`: it
 * is wrong whatever the chain and the clock, and the relayer could have checked, as for an invalid
 * block);
 * every other reason is `ignore`, as BOLT 7 ignores such messages (the relayer's view of the
 * chain may differ, say after a reorganisation, or its clock, or the message is old news).
 *
 * @module
 */

/** Stable reasons, one per rule. */
export type GossipErrorReason =
  /** A signature does not verify. */
  | "bad-signature"
  /** A node id is not a prime-order point, so it cannot be an onion key (§9.3). */
  | "bad-node-key"
  /** The funding output exists but is not the 2-of-2 of the announced funding keys. */
  | "funding-mismatch"
  /** No unspent output at the short channel id's position (maybe not confirmed here yet). */
  | "funding-not-found"
  /** The update offers HTLCs larger than the channel. */
  | "htlc-maximum-above-capacity"
  /** The channel is already announced. */
  | "duplicate"
  /** A `channel_update` for a channel the graph does not hold. */
  | "unknown-channel"
  /** A `node_announcement` for a node without a channel in the graph. */
  | "unknown-node"
  /** The timestamp is not newer than the one held. */
  | "not-newer"
  /** The timestamp is older than the staleness period (two weeks). */
  | "stale"
  /** The timestamp is too far ahead of the local clock. */
  | "timestamp-too-new"
  /** The origin sent more updates than the rate limit allows. */
  | "rate-limited";

const MISBEHAVING: ReadonlySet<GossipErrorReason> = new Set(["bad-signature", "bad-node-key"]);

/** A gossip message the graph refused; nothing in the graph changed. */
export class GossipError extends Error {
  /** Stable machine-readable code. */
  readonly code = "gossip-error";
  /** Which rule refused it. */
  readonly reason: GossipErrorReason;
  /** Whether the relaying peer is at fault (`misbehaving`) or not (`ignore`). */
  readonly penalty: "misbehaving" | "ignore";
  constructor(reason: GossipErrorReason, message: string) {
    super(`${reason}: ${message}`);
    this.name = "GossipError";
    this.reason = reason;
    this.penalty = MISBEHAVING.has(reason) ? "misbehaving" : "ignore";
  }
}
