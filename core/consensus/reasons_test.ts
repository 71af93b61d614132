import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { isRejectReason, reasonCategory, reject, REJECT_REASONS } from "./reasons.ts";

Deno.test("reasonCategory() maps each reason to one category", () => {
  assert.equal(reasonCategory("bad-prevblk"), "header");
  assert.equal(reasonCategory("bad-txnmrklroot"), "block");
  assert.equal(reasonCategory("bad-satisfaction"), "tx");
  assert.equal(reasonCategory("val-loss-mismatch"), "pot");
  for (const r of Object.keys(REJECT_REASONS)) assert.match(r, /^[a-z]+(-[a-z]+)*$/);
});

Deno.test("reject() throws ValidationError carrying the reason", () => {
  assert.throws(
    () => reject("bad-cb-amount", "x"),
    (e) => e instanceof ValidationError && e.reason === "bad-cb-amount",
  );
  assert.equal(isRejectReason("bad-cb-amount"), true);
  assert.equal(isRejectReason("nope"), false);
});
