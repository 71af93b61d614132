/**
 * What the node does with HTLCs once they are locked in or resolved (PROTOCOL §9.11
 * "Forwarding"): an HTLC paid to us is fulfilled from its invoice (or held, or failed); one with
 * a next hop is forwarded over our outgoing channel, the forward stored first (ln_forwards.ts);
 * when an outgoing HTLC ends, its outcome is recorded before the channel state that learnt it,
 * then settles the incoming HTLC; our own payments' waiters are resolved (payments.ts). After a
 * crash, {@link HtlcHandler.resumeForwards} finishes what was interrupted (forward_recovery.ts).
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { ChannelError } from "../../core/lightning/channel_error.ts";
import {
  addHtlc,
  failHtlc,
  failMalformedHtlc,
  fulfillHtlc,
} from "../../core/lightning/channel_state.ts";
import type {
  ChannelAction,
  ChannelEvent,
  ChannelHtlc,
} from "../../core/lightning/channel_types.ts";
import { attributeError, createErrorPacket } from "../../core/lightning/error_onion.ts";
import { FailureCode, failureWithUpdate } from "../../core/lightning/route_failure.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { act, byShortId, commitIfNeeded } from "./channel_steps.ts";
import { crashPoint } from "./crash_point.ts";
import {
  forwardOutcomeOf,
  forwardTarget,
  incomingOpen,
  neverOffered,
  unhandledIncoming,
} from "./forward_recovery.ts";
import { type ForwardPlan, judgeForward, ownChannelUpdate } from "./htlc_forwarder.ts";
import { failureCodeName, judgeIncomingHtlc } from "./incoming_htlc.ts";
import type { LnForwards } from "./ln_forwards.ts";
import type { LnInvoices } from "./ln_invoices.ts";
import type { Payments } from "./payments.ts";
import { live, type ServiceCore } from "./service_core.ts";

/**
 * After a start, how long an HTLC left unforwarded by a crash waits for its outgoing channel's
 * peer to reconnect before it is judged (and failed when that channel is still down), ms.
 */
const RESUME_GRACE_MS = 30_000;

/** What {@link HtlcHandler} needs besides the service core. */
export interface HtlcHandlerOptions {
  /** Invoices this node issued, with their preimages. */
  readonly invoices: LnInvoices;
  /** HTLCs this node forwards (without it, onions with a next hop fail `unknown_next_peer`). */
  readonly forwards: LnForwards | undefined;
  /** The node key's onion scalar (§9.3): peels the onions of HTLCs paid to us. */
  readonly onionScalar: bigint;
  /** Our payments' waiters. */
  readonly payments: Payments;
}

/** The node's handling of HTLCs locked in to it and of its outgoing HTLCs' outcomes. */
export class HtlcHandler {
  readonly #core: ServiceCore;
  readonly #invoices: LnInvoices;
  readonly #forwards: LnForwards | undefined;
  readonly #onionScalar: bigint;
  readonly #payments: Payments;
  readonly #startedMs = Date.now();

  constructor(core: ServiceCore, o: HtlcHandlerOptions) {
    this.#core = core;
    this.#invoices = o.invoices;
    this.#forwards = o.forwards;
    this.#onionScalar = o.onionScalar;
    this.#payments = o.payments;
  }

  /** What the node does on each event of a transition. */
  async onEvent(r: ChannelRecord, event: ChannelEvent): Promise<ChannelRecord> {
    const core = this.#core;
    const key = (id: bigint) => `${toHex(r.channelId)}:${id}`;
    switch (event.type) {
      case "htlc-locked-in": {
        const h = event.htlc;
        const nowSecs = core.node.chainstate.tip().mtpSecs;
        const where = `HTLC ${h.id} on ${toHex(r.channelId)}`;
        const forward = this.#forwards
          ? judgeForward(h, this.#onionScalar, (scid) => this.#ownUpdate(scid), nowSecs)
          : undefined;
        if (forward?.kind === "forward") return await this.#forward(r, h, forward);
        const verdict = forward ?? judgeIncomingHtlc(
          h,
          this.#onionScalar,
          (hash) => this.#invoices.get(hash),
          nowSecs,
        );
        if (verdict.kind === "fulfill" && this.#invoices.get(h.paymentHash)?.hold) {
          core.log(`holding ${where}: ${h.amountMres} mres for a hold invoice`);
          return r;
        }
        if (verdict.kind === "fulfill") {
          // Marked paid first: a crash before the fulfill is stored leaves the HTLC unhandled,
          // and the restart fulfills it (resumeForwards); never fulfilled yet unmarked.
          await this.#invoices.markPaid(h.paymentHash, h.amountMres);
          const next = await act(core, r, fulfillHtlc(r.state, h.id, verdict.preimage));
          core.log(`received ${h.amountMres} mres: ${where}`);
          return next;
        }
        if (verdict.kind === "malformed") {
          core.log(`failing ${where}: unreadable onion (${failureCodeName(verdict.code)})`);
          return await act(
            core,
            r,
            failMalformedHtlc(r.state, h.id, verdict.sha256OfOnion, verdict.code),
          );
        }
        core.log(`failing ${where}: ${failureCodeName(verdict.failure.code)}`);
        return await act(core, r, failHtlc(r.state, h.id, verdict.reason));
      }
      case "htlc-fulfilled": {
        this.#payments.waiter(key(event.id))?.resolve({
          kind: "fulfilled",
          preimage: event.preimage,
        });
        if (this.#forwards?.get(key(event.id))) {
          await crashPoint("forward-fulfilled", (line) => core.log(line));
        }
        await this.#settleForward(key(event.id));
        return core.channels.get(toHex(r.channelId)) ?? r;
      }
      case "htlc-failed": {
        const p = this.#payments.waiter(key(event.id));
        p?.resolve({ kind: "failed", attribution: attributeError(p.sharedSecrets, event.reason) });
        await this.#settleForward(key(event.id));
        return core.channels.get(toHex(r.channelId)) ?? r;
      }
      case "htlc-failed-malformed": {
        // The first hop could not read our onion: it is to blame (BOLT 4).
        this.#payments.waiter(key(event.id))?.resolve({
          kind: "failed",
          attribution: { kind: "malformed", hopIndex: 0 },
        });
        await this.#settleForward(key(event.id));
        return core.channels.get(toHex(r.channelId)) ?? r;
      }
    }
  }

  /** Our update for the channel with alias `scid` (undefined: no such usable channel). */
  #ownUpdate(scid: bigint) {
    const r = byShortId(this.#core, scid);
    if (!r || r.status !== "normal" || !r.state.connected) return undefined;
    // An announced channel's signed update, so a failure enclosing it is usable by the payer.
    return this.#core.gossip?.ownUpdate(scid) ?? ownChannelUpdate(
      scid,
      this.#core.transport.nodeId,
      fromHex(r.peerId),
      r.state.config.capacityMres,
      Math.floor(Date.now() / 1000),
    );
  }

  /**
   * Sends `incoming` on over the outgoing channel of `plan`; the forward is stored before the
   * outgoing HTLC is. When the outgoing channel cannot take it, the incoming HTLC fails with
   * `temporary_channel_failure` (and our update).
   */
  async #forward(
    inRecord: ChannelRecord,
    incoming: ChannelHtlc,
    plan: ForwardPlan,
  ): Promise<ChannelRecord> {
    const core = this.#core;
    const inKey = toHex(inRecord.channelId);
    const where = `HTLC ${incoming.id} on ${inKey}`;
    if (this.#forwards!.hasIncoming(inKey, incoming.id)) return inRecord; // a replay
    await crashPoint("forward-locked-in", (line) => core.log(line));
    const out = byShortId(core, plan.shortChannelId)!;
    let action: ChannelAction | undefined;
    let why = "it is the incoming channel";
    if (out !== inRecord && core.refresher?.frozen(out.channelId)) {
      why = "its funding refresh is in progress";
    } else if (out !== inRecord) {
      try {
        action = addHtlc(out.state, {
          amountMres: plan.amountMres,
          paymentHash: incoming.paymentHash,
          expirySecs: plan.expirySecs,
          onion: plan.onion,
        });
      } catch (e) {
        if (!(e instanceof ChannelError)) throw e;
        why = e.message;
      }
    }
    if (!action) {
      const update = this.#ownUpdate(plan.shortChannelId)!;
      const failure = failureWithUpdate(FailureCode.TEMPORARY_CHANNEL_FAILURE, update);
      core.log(`failing ${where}: cannot forward ${plan.amountMres} mres (${why})`);
      return await act(
        core,
        inRecord,
        failHtlc(inRecord.state, incoming.id, createErrorPacket(plan.sharedSecret, failure)),
      );
    }
    const outHtlcId = action.state.nextHtlcId.local - 1n;
    await this.#forwards!.add(`${toHex(out.channelId)}:${outHtlcId}`, {
      inChannelId: inKey,
      inHtlcId: incoming.id,
      sharedSecret: plan.sharedSecret,
      inAmountMres: incoming.amountMres,
      outAmountMres: plan.amountMres,
    });
    await crashPoint("forward-entry-saved", (line) => core.log(line));
    await commitIfNeeded(core, await act(core, out, action));
    core.log(
      `forwarding ${where} as HTLC ${outHtlcId} on ${toHex(out.channelId)} ` +
        `(${plan.amountMres} mres, fee ${incoming.amountMres - plan.amountMres})`,
    );
    return core.channels.get(inKey) ?? inRecord;
  }

  /**
   * Writes how each of our forwarded HTLCs in `events` ended into its forward, BEFORE the channel
   * state that learnt it is stored: a preimage must survive a crash until the incoming HTLC is
   * fulfilled (the peer forgets nothing, but we must not depend on it resending).
   */
  async recordForwardOutcomes(r: ChannelRecord, events: readonly ChannelEvent[]): Promise<void> {
    if (!this.#forwards) return;
    for (const event of events) {
      if (event.type === "htlc-locked-in") continue;
      const outKey = `${toHex(r.channelId)}:${event.id}`;
      const entry = this.#forwards.get(outKey);
      const outcome = entry && forwardOutcomeOf(event, entry);
      if (outcome) await this.#forwards.resolve(outKey, outcome);
    }
  }

  /**
   * Settles the incoming HTLC of the forward whose outgoing HTLC is `outKey` with its recorded
   * outcome, if any; once settled (now or before a restart) the forward is forgotten. Waits while
   * the incoming channel is disconnected (`resumeForwards` finishes after the reestablishment).
   */
  async #settleForward(outKey: string): Promise<void> {
    const core = this.#core;
    const entry = this.#forwards?.get(outKey);
    if (!entry?.outcome) return;
    const inRecord = core.channels.get(entry.inChannelId);
    if (!inRecord || !live(inRecord)) {
      if (entry.outcome.kind === "fulfill") return; // its preimage stays for an on-chain claim
      core.log(`forward ${outKey}: its incoming channel ${entry.inChannelId} is gone`);
      await this.#forwards!.remove(outKey);
      return;
    }
    if (!inRecord.state.connected) return;
    if (!incomingOpen(inRecord.state, entry.inHtlcId)) {
      await this.#forwards!.remove(outKey); // settled before a restart
      return;
    }
    const outcome = entry.outcome;
    const action = outcome.kind === "fulfill"
      ? fulfillHtlc(inRecord.state, entry.inHtlcId, outcome.preimage)
      : failHtlc(inRecord.state, entry.inHtlcId, outcome.reason);
    const next = await act(core, inRecord, action);
    await this.#forwards!.remove(outKey);
    core.log(
      `forward ${outKey} ${outcome.kind === "fulfill" ? "fulfilled" : "failed"}: HTLC ` +
        `${entry.inHtlcId} on ${entry.inChannelId}` +
        (outcome.kind === "fulfill"
          ? ` (earned ${entry.inAmountMres - entry.outAmountMres} mres)`
          : ""),
    );
    await commitIfNeeded(core, next);
  }

  /**
   * An HTLC we offered on `channelId` was resolved on chain (see
   * `LightningService.htlcResolvedOnChain`); runs inside the service's queue.
   */
  async resolvedOnChain(
    channelId: Uint8Array,
    htlcId: bigint,
    preimage: Uint8Array | undefined,
  ): Promise<void> {
    const key = `${toHex(channelId)}:${htlcId}`;
    const failure = { code: FailureCode.PERMANENT_CHANNEL_FAILURE, data: new Uint8Array(0) };
    this.#payments.waiter(key)?.resolve(
      preimage
        ? { kind: "fulfilled", preimage }
        : { kind: "failed", attribution: { kind: "attributed", hopIndex: 0, failure } },
    );
    const entry = this.#forwards?.get(key);
    if (!entry) return;
    await this.#forwards!.resolve(
      key,
      preimage
        ? { kind: "fulfill", preimage }
        : { kind: "fail", reason: createErrorPacket(entry.sharedSecret, failure) },
    );
    await this.#settleForward(key);
  }

  /**
   * Finishes what a crash interrupted (forward_recovery.ts), on each tick: forgets forwards whose
   * outgoing HTLC was never stored, settles incoming HTLCs whose forward has an outcome, and
   * handles again each HTLC locked in to us but neither settled nor forwarded (one whose next
   * channel's peer is not back yet waits for it, up to {@link RESUME_GRACE_MS} after the start).
   */
  async resumeForwards(): Promise<void> {
    const core = this.#core;
    const forwards = this.#forwards;
    const forwarded = (key: string, id: bigint) => forwards?.hasIncoming(key, id) ?? false;
    for (const [outKey, entry] of forwards?.entries() ?? []) {
      const [outChannel, outHtlcId] = outKey.split(":") as [string, string];
      const out = core.channels.get(outChannel);
      if (!entry.outcome && out && neverOffered(out.state, BigInt(outHtlcId))) {
        core.log(`forward ${outKey} was never sent (a crash): forgetting it`);
        await forwards!.remove(outKey);
        continue;
      }
      const inRecord = core.channels.get(entry.inChannelId);
      if (entry.outcome && inRecord && live(inRecord) && inRecord.state.connected) {
        await this.#settleForward(outKey);
      }
    }
    for (const key of [...core.channels.keys()]) {
      const r = core.channels.get(key)!;
      if (!live(r) || !r.state.connected || !core.peer(r.peerId)) continue;
      for (const h of unhandledIncoming(r.state, (id) => forwarded(key, id))) {
        const scid = forwardTarget(h, this.#onionScalar);
        if (scid !== undefined && Date.now() - this.#startedMs < RESUME_GRACE_MS) {
          const out = byShortId(core, scid);
          if (out && live(out) && !(out.state.connected && core.peer(out.peerId))) continue;
        }
        const current = core.channels.get(key)!;
        if (!incomingOpen(current.state, h.id) || forwarded(key, h.id)) continue;
        core.log(`handling HTLC ${h.id} on ${key} again (left unhandled by a crash)`);
        await commitIfNeeded(
          core,
          await this.onEvent(current, { type: "htlc-locked-in", htlc: h }),
        );
      }
    }
  }
}
