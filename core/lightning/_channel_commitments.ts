/**
 * Which updates each commitment holds, and the folding of irrevocably committed updates into the
 * base state (private to the channel state machine; PROTOCOL.md §9.8 "When an update is
 * committed").
 *
 * @module
 */
import { isDustHtlc } from "./channel_dust.ts";
import { commitmentFeeResonances } from "./commitment_tx.ts";
import type {
  ChannelBase,
  ChannelEvent,
  ChannelHtlc,
  ChannelState,
  LoggedUpdate,
} from "./channel_types.ts";
import type { ChannelSide, CommitmentSpec, HtlcSpec } from "./commitment_spec.ts";
import { otherSide } from "./_channel_util.ts";

/** Is the update in our commitment irrevocably (we revoke at once, so: is it in at all)? */
export function irrevocableInLocal(entry: LoggedUpdate): boolean {
  return entry.inLocal !== null;
}

/** Is the update in a remote commitment whose predecessor the remote has revoked? */
export function irrevocableInRemote(state: ChannelState, entry: LoggedUpdate): boolean {
  if (entry.inRemote === null) return false;
  const revokedBelow = state.remotePrevCommit === null
    ? state.remoteCommit.number
    : state.remoteCommit.number - 1n;
  return entry.inRemote <= revokedBelow;
}

/** Goes into the remote's next commitment: every update of ours, and the peer's once we acked them. */
export function inNextRemote(entry: LoggedUpdate): boolean {
  return entry.inRemote !== null || entry.from === "local" || entry.inLocal !== null;
}

/** Goes into our next commitment: every update of the peer's, and ours once the peer acked them. */
export function inNextLocal(state: ChannelState, entry: LoggedUpdate): boolean {
  return entry.inLocal !== null || entry.from === "remote" || irrevocableInRemote(state, entry);
}

/** The commitment of `owner` numbered `number`: the base plus the logged updates `include` picks. */
export function buildSpec(
  state: Pick<ChannelState, "config" | "base" | "log">,
  owner: ChannelSide,
  number: bigint,
  include: (entry: LoggedUpdate) => boolean,
): CommitmentSpec {
  const balance = { local: state.base.localBalanceMres, remote: state.base.remoteBalanceMres };
  let feerate = state.base.feeratePerByte;
  const htlcs = new Map<string, ChannelHtlc>();
  for (const h of state.base.htlcs) htlcs.set(htlcKey(h.offeredBy, h.id), h);
  for (const e of state.log) {
    if (!include(e)) continue;
    const u = e.update;
    if (u.kind === "add") {
      htlcs.set(htlcKey(e.from, u.htlc.id), u.htlc);
      balance[e.from] -= u.htlc.amountMres;
    } else if (u.kind === "fee") {
      feerate = u.feeratePerByte;
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
    feeResonances: commitmentFeeResonances(BigInt(feerate), outputs),
    htlcs: specs,
  };
}

/** Folds every update now irrevocably committed on both sides into the base; returns the events. */
export function foldCommitted(draft: ChannelState): ChannelEvent[] {
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
      base.feeratePerByte = u.feeratePerByte;
    } else {
      const offeredBy = otherSide(e.from);
      const at = base.htlcs.findIndex((h) => h.offeredBy === offeredBy && h.id === u.htlcId);
      if (at < 0) throw new Error(`internal: fold of a missing HTLC ${offeredBy}/${u.htlcId}`);
      const [htlc] = base.htlcs.splice(at, 1);
      addBalance(base, u.kind === "fulfill" ? e.from : offeredBy, htlc!.amountMres);
      if (u.kind === "fail" && e.from === "remote") {
        events.push({ type: "htlc-failed", id: u.htlcId, reason: u.reason });
      }
      if (u.kind === "fail-malformed" && e.from === "remote") {
        events.push({
          type: "htlc-failed-malformed",
          id: u.htlcId,
          sha256OfOnion: u.sha256OfOnion,
          failureCode: u.failureCode,
        });
      }
    }
  }
  draft.log = kept;
  return events;
}

/** Moves `deltaMres` into (or, negative, out of) `side`'s base balance. */
export function addBalance(base: ChannelBase, side: ChannelSide, deltaMres: bigint): void {
  if (side === "local") base.localBalanceMres += deltaMres;
  else base.remoteBalanceMres += deltaMres;
}

/** The commitment view of a channel HTLC (without its onion). */
export function specOfHtlc(h: ChannelHtlc): HtlcSpec {
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

/** Map key of an HTLC: ids repeat across the two directions. */
export function htlcKey(offeredBy: ChannelSide, id: bigint): string {
  return `${offeredBy}/${id}`;
}
