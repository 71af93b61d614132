import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { isRejectReason, reasonCategory, reject, REJECT_REASONS } from "./reasons.ts";
import { producedReasons } from "./_assert_reject.ts";
// The rejection corpus: every test that makes a rule reject with an expected reason.
import "./reject_reasons_test.ts";
import "./check_tx_rules_test.ts";
import "./social_covenant_test.ts";
import "./testing/full_block_tests_test.ts";
import "./paired_improvement_test.ts";

Deno.test("reasonCategory() maps each reason to one category", () => {
  assert.equal(reasonCategory("bad-prevblk"), "header");
  assert.equal(reasonCategory("bad-txnmrklroot"), "block");
  assert.equal(reasonCategory("bad-satisfaction"), "tx");
  assert.equal(reasonCategory("sample-loss-mismatch"), "pot");
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

Deno.test("every reject reason is produced by an executed rejection (a new reason needs one)", () => {
  // The consensus rejection corpus imported above runs first in this file (its tests register
  // before this one); each rejection whose ValidationError.reason matched the expected reason
  // was recorded. Run this file whole: with --filter the corpus is skipped and this fails.
  const missing = Object.keys(REJECT_REASONS).filter((r) =>
    !producedReasons.has(r as keyof typeof REJECT_REASONS)
  );
  assert.deepEqual(missing, []);
});
