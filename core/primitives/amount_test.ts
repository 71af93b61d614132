import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { formatRnt, parseRntAmount } from "./amount.ts";

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

Deno.test("formatRnt() prints 8 decimals exactly, with a sign when negative", () => {
  assert.equal(formatRnt(0n), "0.00000000");
  assert.equal(formatRnt(1n), "0.00000001");
  assert.equal(formatRnt(150_000_000n), "1.50000000");
  assert.equal(formatRnt(-150_000_001n), "-1.50000001");
  assert.equal(formatRnt(2_100_000_012_345_678n), "21000000.12345678");
});

Deno.test("formatRnt() and parseRntAmount() round-trip every non-negative amount tried", () => {
  for (const v of [0n, 1n, 99_999_999n, 100_000_000n, 123_456_789_012n]) {
    assert.equal(parseRntAmount(formatRnt(v)), v);
  }
});
