/**
 * Invoices and payments (PROTOCOL §9.11 "Paying over routes"): issuing invoices signed by the
 * node key, paying an invoice over routes (each failure attributed to a hop by its error onion,
 * the next route avoiding it), and the waiters of our HTLCs in flight, which htlc_handling.ts
 * resolves when an HTLC is fulfilled or failed (off chain or on chain).
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";
import { ChannelError } from "../../core/lightning/channel_error.ts";
import { addHtlc } from "../../core/lightning/channel_state.ts";
import type { ChannelAction } from "../../core/lightning/channel_types.ts";
import {
  decodeInvoice,
  DEFAULT_MIN_FINAL_DELTA_SECS,
  encodeInvoice,
  paymentHashOf,
} from "../../core/lightning/invoice.ts";
import { InvoiceError } from "../../core/lightning/invoice_error.ts";
import { buildOnion } from "../../core/lightning/sphinx.ts";
import type { ErrorAttribution } from "../../core/lightning/error_onion.ts";
import { routeOnionHops } from "../../core/lightning/route_payload.ts";
import type { Route } from "../../core/lightning/route_find.ts";
import {
  nextPaymentStep,
  type PaymentDecision,
  startPayment,
} from "../../core/lightning/route_attempt.ts";
import {
  capacityShortfall,
  ownChannelGraph,
  ownRouteHints,
  paymentRequest,
  type RouteSummary,
  routeSummary,
} from "./payment_routes.ts";
import { failureCodeName } from "./incoming_htlc.ts";
import { act, byShortId, commitIfNeeded } from "./channel_steps.ts";
import type { LnInvoices } from "./ln_invoices.ts";
import { LnError } from "./ln_error.ts";
import type { ServiceCore } from "./service_core.ts";

/** A settled payment. */
export interface PaymentResult {
  readonly paymentHash: string;
  readonly preimage: string;
  readonly amountMres: bigint;
  readonly channelId: string;
  /** The route that succeeded and its fee. */
  readonly route: RouteSummary;
  /** Routes tried. */
  readonly attempts: number;
  /** The routes that failed before it, in order, each with the failure that ended it. */
  readonly failedRoutes: readonly (RouteSummary & { readonly failure: string })[];
}

/** How one HTLC of ours ended. */
export type HtlcOutcome =
  | { readonly kind: "fulfilled"; readonly preimage: Uint8Array }
  | { readonly kind: "failed"; readonly attribution: ErrorAttribution };

/** The waiter of one HTLC of ours in flight. */
export interface PaymentWaiter {
  readonly resolve: (outcome: HtlcOutcome) => void;
  /** The onion's shared secrets with each hop (to read an error packet). */
  readonly sharedSecrets: Uint8Array[];
}

/** How long `ln_pay` waits for the HTLC to be fulfilled or failed, ms. */
const PAY_TIMEOUT_MS = 60_000;

/** The node's invoices and outgoing payments. */
export class Payments {
  readonly #core: ServiceCore;
  readonly #invoices: LnInvoices;
  readonly #nodeSeed: Uint8Array;
  /** Our HTLCs in flight by `channelId:htlcId`, waiting to be fulfilled or failed. */
  readonly #waiters = new Map<string, PaymentWaiter>();

  constructor(core: ServiceCore, invoices: LnInvoices, nodeSeed: Uint8Array) {
    this.#core = core;
    this.#invoices = invoices;
    this.#nodeSeed = nodeSeed;
  }

  /** The waiter of our HTLC `channelId:htlcId` (hex id), if a payment waits for it. */
  waiter(key: string): PaymentWaiter | undefined {
    return this.#waiters.get(key);
  }

  /**
   * Issues an invoice signed by the node key for `amountMres` (undefined: any amount); its
   * preimage is stored durably before the invoice is returned. With `hold`, an HTLC paying it is
   * held in flight instead of fulfilled (ln_invoices.ts).
   */
  async createInvoice(
    amountMres: bigint | undefined,
    description: string,
    expirySecs: number,
    routeHints = true,
    hold = false,
  ): Promise<{ invoice: string; paymentHash: string }> {
    const preimage = crypto.getRandomValues(new Uint8Array(32));
    const paymentSecret = crypto.getRandomValues(new Uint8Array(32));
    const paymentHash = paymentHashOf(preimage);
    const minFinalDeltaSecs = DEFAULT_MIN_FINAL_DELTA_SECS;
    const invoice = encodeInvoice({
      network: this.#core.node.params.name,
      ...(amountMres === undefined ? {} : { amountMilliResonances: amountMres }),
      timestamp: Math.floor(Date.now() / 1000),
      paymentHash,
      paymentSecret,
      description,
      expirySecs,
      minFinalDeltaSecs,
      routeHints: routeHints ? ownRouteHints(this.#core.channels.values()) : [],
    }, this.#nodeSeed);
    await this.#invoices.add(paymentHash, {
      preimage,
      paymentSecret,
      minFinalDeltaSecs,
      amountMres,
      ...hold ? { hold } : {},
    });
    return { invoice, paymentHash: toHex(paymentHash) };
  }

  /**
   * Pays `invoiceText` over a route (PROTOCOL §9.11 "Paying over routes"): our own channels plus
   * the invoice's route hints; each failure is attributed to a hop (its error onion) and the
   * next route avoids it, up to `DEFAULT_MAX_PAYMENT_ATTEMPTS` routes. Resolves with the
   * preimage once an HTLC is fulfilled.
   */
  async pay(invoiceText: string, amountMres?: bigint): Promise<PaymentResult> {
    const core = this.#core;
    let invoice;
    try {
      invoice = decodeInvoice(invoiceText, {
        network: core.node.params.name,
        nowSecs: Math.floor(Date.now() / 1000),
      });
    } catch (e) {
      if (e instanceof InvoiceError) {
        throw new LnError("bad-amount", `invalid invoice: ${e.message}`);
      }
      throw e;
    }
    const amount = invoice.amountMilliResonances ?? amountMres;
    if (amount === undefined || amount <= 0n) {
      throw new LnError("bad-amount", "the invoice names no amount: give one");
    }
    const ourId = core.transport.nodeId;
    if (bytesEqual(invoice.payeeKey, ourId)) {
      throw new LnError("bad-amount", "the invoice is this node's own");
    }
    const { graph, request } = await core.enqueue(() => {
      const nowSecs = core.node.chainstate.tip().mtpSecs;
      const channels = [...core.channels.values()];
      const shortfall = capacityShortfall(channels, amount);
      if (shortfall) {
        throw new LnError(
          shortfall.startsWith("no open") ? "peer-not-connected" : "bad-amount",
          shortfall,
        );
      }
      return {
        graph: ownChannelGraph(ourId, channels, nowSecs, core.gossip?.paymentGraph()),
        request: paymentRequest(ourId, invoice, amount, channels, nowSecs),
      };
    });
    let decision: PaymentDecision = startPayment(graph, request);
    let lastFailure = "";
    const failedRoutes: PaymentResult["failedRoutes"][number][] = [];
    while (decision.kind === "send") {
      const route = decision.route;
      const outcome = await this.#sendRoute(route, invoice);
      if (outcome.kind === "fulfilled") {
        return {
          paymentHash: toHex(invoice.paymentHash),
          preimage: toHex(outcome.preimage),
          amountMres: amount,
          channelId: outcome.channelId,
          route: routeSummary(route),
          attempts: decision.state.attempts,
          failedRoutes,
        };
      }
      lastFailure = describeFailure(route, outcome.attribution);
      failedRoutes.push({ ...routeSummary(route), failure: lastFailure });
      core.log(`payment ${toHex(invoice.paymentHash).slice(0, 16)}: ${lastFailure}`);
      decision = nextPaymentStep(graph, request, decision.state, route, {
        kind: "failure",
        attribution: outcome.attribution,
      }, {
        gossip: { magic: core.node.params.magic, nowSecs: Math.floor(Date.now() / 1000) },
      });
    }
    if (decision.kind === "done") throw new Error("unreachable: done without a fulfilled HTLC");
    const attempts = decision.state.attempts;
    throw new LnError(
      "open-failed",
      lastFailure === ""
        ? `no route to the payee ${toHex(invoice.payeeKey)}: ${decision.reason}`
        : `${lastFailure} (after ${attempts} route${
          attempts === 1 ? "" : "s"
        }: ${decision.reason})`,
    );
  }

  /** Sends one HTLC along `route` and waits for its outcome. */
  async #sendRoute(
    route: Route,
    invoice: { paymentHash: Uint8Array; paymentSecret: Uint8Array },
  ): Promise<
    | { kind: "fulfilled"; preimage: Uint8Array; channelId: string }
    | { kind: "failed"; attribution: ErrorAttribution }
  > {
    const core = this.#core;
    const first = route.hops[0]!;
    const onion = buildOnion(
      crypto.getRandomValues(new Uint8Array(32)),
      routeOnionHops(route, invoice.paymentSecret),
      invoice.paymentHash,
    );
    const wait = await core.enqueue(async () => {
      const r = byShortId(core, first.shortChannelId);
      if (
        !r || r.status !== "normal" || !r.state.connected || core.refresher?.frozen(r.channelId)
      ) return undefined;
      let action: ChannelAction;
      try {
        action = addHtlc(r.state, {
          amountMres: first.amountMres,
          paymentHash: invoice.paymentHash,
          expirySecs: first.expirySecs,
          onion: onion.packet,
        });
      } catch (e) {
        if (!(e instanceof ChannelError)) throw e;
        core.log(`cannot add the HTLC on ${toHex(r.channelId)}: ${e.message}`);
        return undefined;
      }
      const htlcId = action.state.nextHtlcId.local - 1n;
      const key = `${toHex(r.channelId)}:${htlcId}`;
      const settled = new Promise<HtlcOutcome>((resolve) =>
        this.#waiters.set(key, { resolve, sharedSecrets: onion.sharedSecrets })
      );
      await commitIfNeeded(core, await act(core, r, action));
      return { settled, key, channelId: toHex(r.channelId) };
    });
    if (!wait) {
      throw new LnError(
        "bad-amount",
        `our channel ${first.shortChannelId.toString(16).padStart(16, "0")} cannot carry ` +
          `${first.amountMres} mres now (insufficient capacity or disconnected)`,
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const outcome = await Promise.race([
        wait.settled,
        new Promise<never>((_, reject) =>
          timer = setTimeout(
            () =>
              reject(new LnError("open-failed", "the payment is still in flight; see ln channels")),
            PAY_TIMEOUT_MS,
          )
        ),
      ]);
      return outcome.kind === "fulfilled"
        ? { kind: "fulfilled", preimage: outcome.preimage, channelId: wait.channelId }
        : outcome;
    } finally {
      clearTimeout(timer);
      this.#waiters.delete(wait.key);
    }
  }
}

/** "node X failed the payment: code" for a failed route (the payee named as such). */
function describeFailure(route: Route, attribution: ErrorAttribution): string {
  if (attribution.kind === "unattributable") {
    return "a hop failed the payment with an unreadable error";
  }
  const last = route.hops.length - 1;
  const who = attribution.hopIndex >= last
    ? "the payee failed the payment"
    : `node ${toHex(route.hops[attribution.hopIndex]!.nodeId)} (hop ${
      attribution.hopIndex + 1
    }) failed the payment`;
  return attribution.kind === "malformed"
    ? `${who} with a malformed error`
    : `${who}: ${failureCodeName(attribution.failure.code)}`;
}
