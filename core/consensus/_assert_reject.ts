/**
 * Test helper (private): asserts a rule throws ValidationError with an exact reason, and
 * records the reasons so produced.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import type { RejectReason } from "./reasons.ts";

/**
 * Every reason an executed rejection produced in this test process (added by
 * {@linkcode assertReject} and by the full-block table replay once the reason matched), so
 * `reasons_test.ts` can check that each reason really is produced by some rule.
 */
export const producedReasons: Set<RejectReason> = new Set();

/** Asserts `fn()` throws (or rejects with) ValidationError whose reason is `reason`. */
export async function assertReject(
  fn: () => unknown,
  reason: RejectReason,
): Promise<void> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected ValidationError, got ${e}`);
    assert.equal(e.reason, reason, e.message);
    producedReasons.add(reason);
    return;
  }
  assert.fail(`expected rejection with ${reason}`);
}
