/**
 * HTLCs this node forwards, in `<datadir>/lightning/forwards.json` (PROTOCOL §9.11
 * "Forwarding"): for each HTLC we offered on an outgoing channel, the incoming HTLC it pays and
 * our onion shared secret with the payer. An entry is written (atomic write + fsync) BEFORE the
 * outgoing HTLC is stored or sent, and removed once the incoming HTLC is fulfilled or failed, so
 * a restart in between still settles the incoming HTLC when the outgoing one resolves. How the
 * outgoing HTLC ended (the preimage, or the error packet to pass back) is written into the entry
 * BEFORE the channel state that learnt it is stored: once this node knows a preimage it never
 * forgets it until the incoming HTLC is fulfilled (forward_recovery.ts finishes the job after a
 * crash).
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { paymentHashOf } from "../../core/lightning/invoice.ts";
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";
import { readJsonEntries } from "./json_file.ts";

/** How a forward's outgoing HTLC ended: what the incoming HTLC must now get. */
export type ForwardOutcome =
  | { readonly kind: "fulfill"; readonly preimage: Uint8Array }
  /** `reason`: the error packet to send upstream, already wrapped with our shared secret. */
  | { readonly kind: "fail"; readonly reason: Uint8Array };

/** One forwarded HTLC. */
export interface ForwardEntry {
  /** The incoming channel's id (hex). */
  readonly inChannelId: string;
  /** The incoming HTLC's id. */
  readonly inHtlcId: bigint;
  /** Our shared secret with the payer (wraps errors coming back). */
  readonly sharedSecret: Uint8Array;
  /** The incoming HTLC's amount, mres (the fee is it minus the outgoing amount). */
  readonly inAmountMres: bigint;
  /** The outgoing HTLC's amount, mres. */
  readonly outAmountMres: bigint;
  /** Set once the outgoing HTLC was fulfilled or failed (before the incoming one is settled). */
  readonly outcome?: ForwardOutcome;
}

/** `outChannelId:outHtlcId` → the incoming HTLC it pays. */
export class LnForwards {
  readonly path: string;
  readonly #byOutgoing = new Map<string, ForwardEntry>();

  private constructor(path: string) {
    this.path = path;
  }

  /** Loads the file (empty when it does not exist; a damaged file is an Error). */
  static async load(path: string): Promise<LnForwards> {
    const book = new LnForwards(path);
    const entries = await readJsonEntries(path);
    if (!entries) return book;
    for (const [key, v] of entries as [string, Record<string, string>][]) {
      const hex = (s: string | undefined, bytes?: number) =>
        typeof s === "string" && /^([0-9a-f]{2})*$/.test(s) &&
        (bytes === undefined || s.length === 2 * bytes);
      if (
        !/^[0-9a-f]{64}:\d+$/.test(key) || !hex(v.in_channel_id, 32) ||
        !/^\d+$/.test(v.in_htlc_id ?? "") || !hex(v.shared_secret, 32) ||
        !/^\d+$/.test(v.in_amount_mres ?? "") || !/^\d+$/.test(v.out_amount_mres ?? "") ||
        (v.preimage !== undefined && !hex(v.preimage, 32)) ||
        (v.fail_reason !== undefined && !hex(v.fail_reason)) ||
        (v.preimage !== undefined && v.fail_reason !== undefined)
      ) {
        throw new Error(`${path}: bad entry ${key}`);
      }
      const outcome: ForwardOutcome | undefined = v.preimage !== undefined
        ? { kind: "fulfill", preimage: fromHex(v.preimage) }
        : v.fail_reason !== undefined
        ? { kind: "fail", reason: fromHex(v.fail_reason) }
        : undefined;
      book.#byOutgoing.set(key, {
        inChannelId: v.in_channel_id!,
        inHtlcId: BigInt(v.in_htlc_id!),
        sharedSecret: fromHex(v.shared_secret!),
        inAmountMres: BigInt(v.in_amount_mres!),
        outAmountMres: BigInt(v.out_amount_mres!),
        ...outcome ? { outcome } : {},
      });
    }
    return book;
  }

  /** The forward whose outgoing HTLC is `outChannelId:outHtlcId`, if any. */
  get(outgoingKey: string): ForwardEntry | undefined {
    return this.#byOutgoing.get(outgoingKey);
  }

  /** Whether the incoming HTLC `inChannelId:inHtlcId` is already forwarded. */
  hasIncoming(inChannelId: string, inHtlcId: bigint): boolean {
    for (const e of this.#byOutgoing.values()) {
      if (e.inChannelId === inChannelId && e.inHtlcId === inHtlcId) return true;
    }
    return false;
  }

  /** Forwards in flight. */
  get size(): number {
    return this.#byOutgoing.size;
  }

  /** Every forward in flight, by `outChannelId:outHtlcId`. */
  entries(): [string, ForwardEntry][] {
    return [...this.#byOutgoing];
  }

  /**
   * The preimage an outgoing HTLC of ours was fulfilled with, for `paymentHash`: while its forward
   * is kept (the incoming HTLC not yet fulfilled, e.g. its channel force closed first) the chain
   * watcher claims the incoming HTLC's output on chain with it (htlc_claims.ts).
   */
  preimageOf(paymentHash: Uint8Array): Uint8Array | undefined {
    for (const e of this.#byOutgoing.values()) {
      const o = e.outcome;
      if (o?.kind === "fulfill" && bytesEqual(paymentHashOf(o.preimage), paymentHash)) {
        return o.preimage;
      }
    }
    return undefined;
  }

  /**
   * Records durably how the outgoing HTLC `outgoingKey` ended (kept until {@link remove}); the
   * first outcome stays (a fulfill repeated after a reconnection changes nothing). False when
   * `outgoingKey` is no forward of ours.
   */
  async resolve(outgoingKey: string, outcome: ForwardOutcome): Promise<boolean> {
    const entry = this.#byOutgoing.get(outgoingKey);
    if (!entry) return false;
    if (entry.outcome) return true;
    this.#byOutgoing.set(outgoingKey, { ...entry, outcome });
    await this.#write();
    return true;
  }

  /** Records a forward durably. */
  async add(outgoingKey: string, entry: ForwardEntry): Promise<void> {
    this.#byOutgoing.set(outgoingKey, entry);
    await this.#write();
  }

  /** Forgets a settled forward durably. */
  async remove(outgoingKey: string): Promise<void> {
    if (this.#byOutgoing.delete(outgoingKey)) await this.#write();
  }

  async #write(): Promise<void> {
    const json: Record<string, Record<string, string>> = {};
    for (const [key, e] of this.#byOutgoing) {
      const row: Record<string, string> = {
        in_channel_id: e.inChannelId,
        in_htlc_id: e.inHtlcId.toString(),
        shared_secret: toHex(e.sharedSecret),
        in_amount_mres: e.inAmountMres.toString(),
        out_amount_mres: e.outAmountMres.toString(),
      };
      if (e.outcome?.kind === "fulfill") row.preimage = toHex(e.outcome.preimage);
      if (e.outcome?.kind === "fail") row.fail_reason = toHex(e.outcome.reason);
      json[key] = row;
    }
    // 0600: preimages and shared secrets.
    await writeFileAtomic(this.path, new TextEncoder().encode(JSON.stringify(json, null, 1)), {
      mode: 0o600,
    });
  }
}
