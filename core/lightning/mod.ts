/**
 * Lightning for rnt, the pure parts (no I/O): invoices (BOLT 11 format, Ed25519 payee
 * signatures), Sphinx onions on ristretto255 (BOLT 4 shape), error onions, per-commitment
 * secrets (BOLT 3 shachain) and commitment keys. PROTOCOL.md §9.
 *
 * @example
 * ```ts
 * import { buildOnion, decodeInvoice, encodeInvoice, onionKeyPairFromNodeSeed, onionPublicKeyOfNode, peelOnion } from "./mod.ts";
 * const payeeSeed = new Uint8Array(32).fill(7);
 * const text = encodeInvoice({
 *   network: "regtest", timestamp: 1_700_000_000, description: "tea",
 *   paymentHash: new Uint8Array(32).fill(1), paymentSecret: new Uint8Array(32).fill(2),
 * }, payeeSeed);
 * const invoice = decodeInvoice(text, { network: "regtest" });
 * // Route one hop to the payee, found by the node key in the invoice.
 * const { packet } = buildOnion(new Uint8Array(32).fill(3), [
 *   { publicKey: onionPublicKeyOfNode(invoice.payeeKey), payload: invoice.paymentSecret },
 * ], invoice.paymentHash);
 * const payee = onionKeyPairFromNodeSeed(payeeSeed);
 * console.log(peelOnion(packet, payee.privateScalar, invoice.paymentHash).nextPacket); // null
 * ```
 *
 * @module
 */
export {
  decodeInvoice,
  type DecodeInvoiceOptions,
  DEFAULT_EXPIRY_SECS,
  DEFAULT_MIN_FINAL_DELTA_SECS,
  encodeInvoice,
  type Invoice,
  invoicePrefix,
  type InvoiceRequest,
  paymentHashOf,
  type RouteHintHop,
} from "./invoice.ts";
export {
  decodeInvoiceAmount,
  encodeInvoiceAmount,
  formatRntMilliResonances,
  MILLI_RESONANCES_PER_RNT,
  parseRntMilliResonances,
} from "./invoice_amount.ts";
export { InvoiceError, type InvoiceErrorReason } from "./invoice_error.ts";
export {
  buildOnion,
  type BuiltOnion,
  MAX_HOPS,
  ONION_PACKET_BYTES,
  OnionError,
  type OnionErrorReason,
  type OnionHop,
  type PeeledOnion,
  peelOnion,
} from "./sphinx.ts";
export { type OnionKeyPair, onionKeyPairFromNodeSeed, onionPublicKeyOfNode } from "./onion_keys.ts";
export {
  attributeError,
  createErrorPacket,
  ERROR_PACKET_BYTES,
  type ErrorAttribution,
  FailureFlag,
  type FailureMessage,
  wrapErrorPacket,
} from "./error_onion.ts";
export {
  decodeShachainStore,
  encodeShachainStore,
  FIRST_COMMITMENT_INDEX,
  MAX_SHACHAIN_ENTRIES,
  PER_COMMITMENT_SECRET_BYTES,
  perCommitmentSecret,
  type ShachainEntry,
  ShachainError,
  type ShachainErrorReason,
  ShachainStore,
} from "./shachain.ts";
export {
  COMMITMENT_POINT_BYTES,
  derivePrivateKey,
  derivePublicKey,
  deriveRevocationPrivateKey,
  deriveRevocationPublicKey,
  ed25519KeyOfPoint,
  keyTweak,
  perCommitmentPoint,
  perCommitmentScalar,
  pointOfScalar,
} from "./commitment_keys.ts";
export { ed25519KeyOfScalar, signWithScalar } from "./scalar_signer.ts";
export {
  type CommitmentKeys,
  commitmentKeys,
  contractAddress,
  fundingPolicy,
  MIN_CONTRACT_AGE_SECS,
  offeredHtlcPolicy,
  receivedHtlcPolicy,
  toOtherPolicy,
  toOwnerPolicy,
} from "./channel_policies.ts";
export {
  buildCommitmentTx,
  CHANNEL_TX_VERSION,
  commitmentFeeResonances,
  commitmentNumberOf,
  type CommitmentOutput,
  type CommitmentOutputRole,
  type CommitmentTx,
  type CommitmentTxParams,
  fundingOutput,
  MAX_COMMITMENT_NUMBER,
  MRES_PER_RESONANCE,
  obscuredCommitmentNumber,
  signedFundingSpendBytes,
  signFundingSpend,
  withFundingWitness,
} from "./commitment_tx.ts";
export {
  buildClaimTx,
  buildClaimTxAtFeeRate,
  CLAIM_SEQUENCE,
  type ClaimInput,
  htlcSuccessClaim,
  htlcTimeoutClaim,
  penaltyClaims,
  toOtherClaim,
  toOwnerClaim,
} from "./commitment_claims.ts";
export {
  buildCooperativeCloseTx,
  buildFundingRefreshTx,
  type CooperativeCloseParams,
  FUNDING_SPEND_SEQUENCE,
} from "./channel_close.ts";
export { ChannelError, type ChannelErrorReason } from "./channel_error.ts";
export { isDustHtlc } from "./channel_dust.ts";
export {
  CHANNEL_ID_BYTES,
  type ChannelMessage,
  ChannelMessageId,
  type ChannelReestablish,
  COMMITMENT_SIGNATURE_BYTES,
  type CommitmentSigned,
  decodeChannelMessage,
  encodeChannelMessage,
  type EncodedChannelMessage,
  MAX_FAIL_REASON_BYTES,
  type RevokeAndAck,
  type UpdateAddHtlc,
  type UpdateFailHtlc,
  type UpdateFailMalformedHtlc,
  type UpdateFee,
  type UpdateFulfillHtlc,
} from "./channel_messages.ts";
export {
  addHtlc,
  createChannel,
  failHtlc,
  failMalformedHtlc,
  fulfillHtlc,
  initialCommitmentSpecs,
  localCommitmentPoint,
  needsCommitment,
  receiveMessage,
  remoteRevocationSecret,
  signCommitment,
  updateFee,
} from "./channel_state.ts";
export {
  type ChannelAction,
  type ChannelConfig,
  type ChannelEvent,
  type ChannelHtlc,
  type ChannelLimits,
  type ChannelOpening,
  type ChannelReceipt,
  type ChannelState,
  type CommitmentSigner,
  type HtlcRequest,
  MAX_ACCEPTED_HTLCS_LIMIT,
  MAX_LOGGED_UPDATES,
} from "./channel_types.ts";
export {
  disconnectChannel,
  receiveReestablish,
  reestablishMessage,
} from "./channel_reestablish.ts";
export {
  CHANNEL_STATE_VERSION,
  decodeChannelState,
  encodeChannelState,
} from "./channel_state_codec.ts";
export {
  formatShortChannelId,
  shortChannelIdFromHintBytes,
  shortChannelIdOf,
  type ShortChannelIdParts,
  shortChannelIdParts,
  shortChannelIdToHintBytes,
} from "./gossip_channel_id.ts";
export {
  CHANNEL_ANNOUNCEMENT_MESSAGE_ID,
  CHANNEL_UPDATE_MESSAGE_ID,
  type ChannelAnnouncement,
  type ChannelUpdate,
  decodeChannelAnnouncement,
  decodeChannelUpdate,
  decodeNodeAnnouncement,
  encodeChannelAnnouncement,
  encodeChannelUpdate,
  encodeNodeAnnouncement,
  NODE_ANNOUNCEMENT_MESSAGE_ID,
  type NodeAddress,
  type NodeAnnouncement,
} from "./gossip_messages.ts";
export {
  signChannelAnnouncement,
  signChannelUpdate,
  signNodeAnnouncement,
  verifyChannelAnnouncement,
  verifyChannelUpdate,
  verifyNodeAnnouncement,
} from "./gossip_signatures.ts";
export { GossipError, type GossipErrorReason } from "./gossip_error.ts";
export { GossipRateLimiter } from "./gossip_rate_limit.ts";
export {
  ChannelGraph,
  type ChannelPolicyFields,
  type FundingLookup,
  type FundingOutput,
  GOSSIP_STALE_SECS,
  type GossipContext,
  type GraphChannel,
  nodeKey,
  type PrivateChannel,
} from "./graph.ts";
export { decodeChannelGraph, encodeChannelGraph } from "./graph_codec.ts";
export {
  directionKey,
  findRoute,
  forwardingFee,
  type Route,
  RouteError,
  type RouteHop,
  type RouteRequest,
} from "./route_find.ts";
export {
  decodeHopPayload,
  encodeHopPayload,
  type HopPayload,
  routeHopPayloads,
  routeOnionHops,
} from "./route_payload.ts";
export { channelUpdateOfFailure, FailureCode, failureWithUpdate } from "./route_failure.ts";
export {
  nextPaymentStep,
  type PaymentDecision,
  type PaymentOptions,
  type PaymentState,
  type SendResult,
  startPayment,
} from "./route_attempt.ts";
export {
  checkFinalHop,
  checkForward,
  type FinalHopRequest,
  type ForwardRequest,
} from "./route_forward.ts";
export {
  decodeGossipTimestampFilter,
  encodeGossipTimestampFilter,
  GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID,
  type GossipTimestampFilter,
  inGossipWindow,
} from "./gossip_query.ts";
export {
  type CommitmentMatch,
  type CommitmentMatchParams,
  matchCommitment,
} from "./commitment_match.ts";
