/**
 * The invoices this node issued (`ln_invoice`) with their preimages, in
 * `<datadir>/lightning/invoices.json` (atomic write + fsync before the invoice is handed out, so
 * a payment that arrives after a crash can still be claimed). A preimage is secret until the
 * node reveals it by fulfilling the HTLC that pays its invoice.
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
import { readJsonEntries } from "./json_file.ts";

/** One issued invoice. */
export interface IssuedInvoice {
  readonly preimage: Uint8Array;
  /** The invoice's payment secret (the payer puts it in the onion). */
  readonly paymentSecret: Uint8Array;
  /** The invoice's `min_final_delta`, seconds. */
  readonly minFinalDeltaSecs: number;
  /** Amount asked, milli-resonances (undefined: any). */
  readonly amountMres: bigint | undefined;
  /** Set once an HTLC paying it was fulfilled. */
  paidMres?: bigint;
  /**
   * A hold invoice: an HTLC paying it is held, neither fulfilled nor failed, so it stays in
   * flight until the channel's commitment goes on chain (where the node claims it with the
   * preimage, htlc_claims.ts) or its payer's timeout takes it back.
   */
  readonly hold?: boolean;
}

/** payment hash (hex) → issued invoice. */
export class LnInvoices {
  readonly path: string;
  readonly #byHash = new Map<string, IssuedInvoice>();

  private constructor(path: string) {
    this.path = path;
  }

  /** Loads the file (empty when it does not exist; a damaged file is an Error). */
  static async load(path: string): Promise<LnInvoices> {
    const book = new LnInvoices(path);
    const entries = await readJsonEntries(path);
    if (!entries) return book;
    for (const [hash, v] of entries as [string, Record<string, string | number | null>][]) {
      if (
        !/^[0-9a-f]{64}$/.test(hash) || typeof v.preimage !== "string" ||
        typeof v.payment_secret !== "string" || typeof v.min_final_delta_secs !== "number"
      ) {
        throw new Error(`${path}: bad entry ${hash}`);
      }
      book.#byHash.set(hash, {
        preimage: fromHex(v.preimage),
        paymentSecret: fromHex(v.payment_secret),
        minFinalDeltaSecs: v.min_final_delta_secs,
        amountMres: typeof v.amount_mres === "string" ? BigInt(v.amount_mres) : undefined,
        ...(typeof v.paid_mres === "string" ? { paidMres: BigInt(v.paid_mres) } : {}),
        ...(v.hold === 1 ? { hold: true } : {}),
      });
    }
    return book;
  }

  /** The invoice of `paymentHash`, if this node issued it. */
  get(paymentHash: Uint8Array): IssuedInvoice | undefined {
    return this.#byHash.get(toHex(paymentHash));
  }

  /** Stores an invoice (durably) under its payment hash. */
  async add(paymentHash: Uint8Array, invoice: IssuedInvoice): Promise<void> {
    this.#byHash.set(toHex(paymentHash), invoice);
    await this.#save();
  }

  /** Marks the invoice of `paymentHash` paid with `amountMres`. */
  async markPaid(paymentHash: Uint8Array, amountMres: bigint): Promise<void> {
    const inv = this.#byHash.get(toHex(paymentHash));
    if (!inv) return;
    inv.paidMres = amountMres;
    await this.#save();
  }

  async #save(): Promise<void> {
    const out: Record<string, Record<string, string | number | null>> = {};
    for (const [hash, v] of this.#byHash) {
      out[hash] = {
        preimage: toHex(v.preimage),
        payment_secret: toHex(v.paymentSecret),
        min_final_delta_secs: v.minFinalDeltaSecs,
        amount_mres: v.amountMres === undefined ? null : v.amountMres.toString(),
        paid_mres: v.paidMres === undefined ? null : v.paidMres.toString(),
        ...(v.hold ? { hold: 1 } : {}),
      };
    }
    await Deno.mkdir(this.path.slice(0, this.path.lastIndexOf("/")), { recursive: true });
    await writeFileAtomic(this.path, new TextEncoder().encode(JSON.stringify(out)), {
      mode: 0o600, // the preimages
    });
  }
}
