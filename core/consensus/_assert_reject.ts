/**
 * Test helper (private): asserts a rule throws ValidationError with an exact reason.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import type { RejectReason } from "./reasons.ts";

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
    return;
  }
  assert.fail(`expected rejection with ${reason}`);
}
