import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { NULL_OUTPOINT, type Tx, txSize } from "../primitives/tx.ts";
import { checkRelayFee, checkStandard } from "./standardness.ts";

const policy = { maxStandardTxBytes: 1_000, minRelayFeePerByte: 2n };
const address = { kind: 1, hash: new Uint8Array(32).fill(1) };
const spend: Tx = {
  version: 1,
  inputs: [{ prevout: { txid: new Uint8Array(32).fill(9), vout: 0 }, sequence: 0 }],
  outputs: [{ value: 5n, address }],
  locktime: 0,
  witnesses: [],
};

function reason(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.reason;
    throw e;
  }
  return undefined;
}

Deno.test("checkStandard() names the first policy a transaction breaks", () => {
  const coinbase = { ...spend, inputs: [{ prevout: NULL_OUTPOINT, sequence: 0 }] };
  assert.equal(reason(() => checkStandard(coinbase, 100, policy)), "coinbase");
  assert.equal(reason(() => checkStandard(spend, 1_001, policy)), "tx-size");
  assert.equal(reason(() => checkStandard(spend, 100, policy)), "nonstandard-no-witness");
  const witnessed = {
    ...spend,
    witnesses: [{ policy: { type: "after", time: 1 }, satisfaction: {} }],
  } as unknown as Tx;
  assert.equal(reason(() => checkStandard(witnessed, 100, policy)), undefined);
  const badKind = { ...witnessed, outputs: [{ value: 5n, address: { ...address, kind: 0 } }] };
  assert.equal(reason(() => checkStandard(badKind, 100, policy)), "bad-recovery-kind");
});

Deno.test("checkRelayFee() requires minRelayFeePerByte × size exactly", () => {
  const size = txSize(spend);
  assert.equal(reason(() => checkRelayFee(2n * BigInt(size), size, policy)), undefined);
  assert.equal(
    reason(() => checkRelayFee(2n * BigInt(size) - 1n, size, policy)),
    "min-relay-fee-not-met",
  );
});
