/**
 * One peer connection over the encrypted transport: handshake, keepalive, message caps,
 * misbehaviour and the ban list.
 *
 * @module
 */
export { type BanEntry, BanList, DEFAULT_BAN_SECS } from "./ban_list.ts";
export { type MisbehaviorReason, ProtocolError } from "../../core/errors.ts";
export { type Penalty, type PenaltyContext, penaltyFor } from "./penalty.ts";
export { type MessageHandler, Peer, type PeerOptions, randomNonce } from "./peer.ts";
