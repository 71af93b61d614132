import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { parseRntAmount } from "./amount.ts";

Deno.test("parseRntAmount() converts decimal RNT to resonances exactly", () => {
  assert.equal(parseRntAmount("1"), 100_000_000n);
  assert.equal(parseRntAmount("0.00000001"), 1n);
  assert.equal(parseRntAmount("21000000.12345678"), 2_100_000_012_345_678n);
  assert.equal(parseRntAmount(" 1.5 "), 150_000_000n);
});

Deno.test("parseRntAmount() rejects more than 8 decimals, signs, exponents and junk", () => {
  for (const bad of ["0.000000001", "-1", "1e3", "", ".5", "1.", "abc", "1,5"]) {
    assert.throws(() => parseRntAmount(bad), UsageError, bad);
  }
});
