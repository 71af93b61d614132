import assert from "node:assert/strict";
import { paymentHashOf } from "../../core/lightning/invoice.ts";
import { LnInvoices } from "./ln_invoices.ts";

Deno.test("LnInvoices keeps preimages and payments across loads (mode 0600)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-ln-invoices-" });
  try {
    const path = `${dir}/lightning/invoices.json`;
    const book = await LnInvoices.load(path);
    const preimage = new Uint8Array(32).fill(9);
    const hash = paymentHashOf(preimage);
    assert.equal(book.get(hash), undefined);
    const paymentSecret = new Uint8Array(32).fill(4);
    await book.add(hash, { preimage, paymentSecret, minFinalDeltaSecs: 60, amountMres: 5000n });
    await book.add(paymentHashOf(new Uint8Array(32)), {
      preimage: new Uint8Array(32),
      paymentSecret,
      minFinalDeltaSecs: 60,
      amountMres: undefined,
    });
    assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
    await book.markPaid(hash, 6000n);
    const again = await LnInvoices.load(path);
    assert.deepEqual(again.get(hash), {
      preimage,
      paymentSecret,
      minFinalDeltaSecs: 60,
      amountMres: 5000n,
      paidMres: 6000n,
    });
    assert.equal(again.get(paymentHashOf(new Uint8Array(32)))?.amountMres, undefined);
    await Deno.writeTextFile(path, JSON.stringify({ ["00".repeat(32)]: { amount_mres: "1" } }));
    await assert.rejects(LnInvoices.load(path), /bad entry/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
