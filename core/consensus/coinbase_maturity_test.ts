import assert from "node:assert/strict";
import { isMature } from "./coinbase_maturity.ts";
import { MAINNET, REGTEST } from "./params.ts";

Deno.test("isMature() lets a coinbase output spend exactly coinbaseMaturity blocks above it", () => {
  for (const params of [REGTEST, MAINNET]) {
    const created = 7;
    const first = created + params.coinbaseMaturity;
    assert.equal(isMature({ coinbase: true, height: created }, first - 1, params), false);
    assert.equal(isMature({ coinbase: true, height: created }, first, params), true);
    assert.equal(isMature({ coinbase: true, height: created }, first + 50, params), true);
  }
});

Deno.test("isMature() is always true for a non-coinbase output", () => {
  assert.equal(isMature({ coinbase: false, height: 100 }, 100, REGTEST), true);
  assert.equal(isMature({ coinbase: false, height: 100 }, 0, REGTEST), true);
});
