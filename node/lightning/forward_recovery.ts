/**
 * What a forwarding node finds left to do after a crash or restart (PROTOCOL §9.11 "Crash
 * safety"), read from its stored channel states and its forwards (ln_forwards.ts). The service
 * runs these checks once a channel is reestablished:
 * - an HTLC irrevocably committed to us that we neither settled nor forwarded (the node died
 *   between storing the state that locked it in and handling it) is handled again, as if just
 *   locked in;
 * - a forward whose outgoing HTLC was never stored (the node died between writing the forward and
 *   storing the outgoing channel) is forgotten, so the incoming HTLC is handled again;
 * - a forward whose outcome is recorded (the preimage or the error packet) settles its incoming
 *   HTLC, unless that HTLC is settled already.
 *
 * Pure functions of the stored data; the service does the acting.
 *
 * @module
 */
import type {
  ChannelEvent,
  ChannelHtlc,
  ChannelState,
} from "../../core/lightning/channel_types.ts";
import { wrapErrorPacket } from "../../core/lightning/error_onion.ts";
import { decodeHopPayload } from "../../core/lightning/route_payload.ts";
import { peelOnion } from "../../core/lightning/sphinx.ts";
import { malformedFailurePacket } from "./htlc_forwarder.ts";
import type { ForwardEntry, ForwardOutcome } from "./ln_forwards.ts";

/** Whether our fulfill or fail of the peer's HTLC `id` is already in the channel's log. */
function removalLogged(state: ChannelState, id: bigint): boolean {
  return state.log.some((e) =>
    e.from === "local" && e.update.kind !== "add" &&
    e.update.kind !== "fee" && e.update.htlcId === id
  );
}

/**
 * Whether the peer's HTLC `id` is irrevocably committed to us and not yet fulfilled or failed by
 * us (the only state in which settling it is allowed and needed).
 */
export function incomingOpen(state: ChannelState, id: bigint): boolean {
  return state.base.htlcs.some((h) => h.offeredBy === "remote" && h.id === id) &&
    !removalLogged(state, id);
}

/**
 * The peer's HTLCs irrevocably committed to us that we have neither settled nor forwarded
 * (`forwarded(id)`: whether a forward of ours pays it), in id order.
 */
export function unhandledIncoming(
  state: ChannelState,
  forwarded: (id: bigint) => boolean,
): ChannelHtlc[] {
  return state.base.htlcs
    .filter((h) => h.offeredBy === "remote" && incomingOpen(state, h.id) && !forwarded(h.id))
    .sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Whether our HTLC `id` was never stored in the outgoing channel's state: its id was never
 * taken. A forward pointing at such an HTLC was written just before a crash and is void.
 */
export function neverOffered(state: ChannelState, id: bigint): boolean {
  return id >= state.nextHtlcId.local;
}

/**
 * The channel alias an incoming HTLC's onion names as the next hop; undefined when we are the
 * payee or the onion cannot be read (then the payee's checks answer it).
 */
export function forwardTarget(htlc: ChannelHtlc, onionScalar: bigint): bigint | undefined {
  try {
    const peeled = peelOnion(htlc.onion, onionScalar, htlc.paymentHash);
    if (peeled.nextPacket === null) return undefined;
    return decodeHopPayload(peeled.payload).shortChannelId;
  } catch {
    return undefined; // an unreadable onion or payload: judged (and failed) as the payee's
  }
}

/**
 * What the incoming HTLC of `entry` must get once its outgoing HTLC ended as `event` says: the
 * preimage, or the error packet wrapped with our shared secret (BOLT 4: a malformed answer is
 * reported by us, with the SHA-256 of the onion we sent). Undefined for other events.
 */
export function forwardOutcomeOf(
  event: ChannelEvent,
  entry: ForwardEntry,
): ForwardOutcome | undefined {
  switch (event.type) {
    case "htlc-fulfilled":
      return { kind: "fulfill", preimage: event.preimage };
    case "htlc-failed":
      return { kind: "fail", reason: wrapErrorPacket(event.reason, entry.sharedSecret) };
    case "htlc-failed-malformed":
      return {
        kind: "fail",
        reason: malformedFailurePacket(entry.sharedSecret, event.failureCode, event.sha256OfOnion),
      };
    default:
      return undefined;
  }
}
