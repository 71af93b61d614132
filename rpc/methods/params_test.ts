import assert from "node:assert/strict";
import { DecodeError, RpcError, ValidationError } from "../../core/errors.ts";
import { parseHash, parseHexBytes, parseInteger, parseVerbosity } from "./params.ts";
import { submitError } from "./submit_errors.ts";

Deno.test.sanitizer({ ops: true, resources: true });

function code(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof RpcError) return e.rpcCode;
    throw e;
  }
  throw new Error("no error");
}

Deno.test("parseHash() takes 64 hex digits, −8 for a bad length or digit, −3 for a non-string", () => {
  assert.equal(parseHash("AB".repeat(32), "blockhash")[0], 0xab);
  assert.equal(code(() => parseHash("ab", "blockhash")), -8);
  assert.equal(code(() => parseHash("zz".repeat(32), "blockhash")), -8);
  assert.equal(code(() => parseHash(5, "blockhash")), -3);
});

Deno.test("parseInteger() and parseVerbosity() map bad values to −8 and wrong types to −3", () => {
  assert.equal(parseInteger(3, "n", 0, 5), 3);
  assert.equal(code(() => parseInteger(6, "n", 0, 5)), -8);
  assert.equal(code(() => parseInteger(1.5, "n", 0, 5)), -8);
  assert.equal(code(() => parseInteger("1", "n", 0, 5)), -3);
  assert.equal(parseVerbosity(undefined, 1, 2), 1);
  assert.equal(parseVerbosity(false, 1, 2), 0);
  assert.equal(code(() => parseVerbosity(3, 1, 2)), -8);
});

Deno.test("parseHexBytes() refuses odd-length or non-hex input with −22", () => {
  assert.deepEqual(parseHexBytes("0aFF", "TX"), new Uint8Array([10, 255]));
  assert.equal(code(() => parseHexBytes("abc", "TX")), -22);
  assert.equal(code(() => parseHexBytes("xx", "TX")), -22);
});

Deno.test("submitError() maps decode → −22, missing inputs → −25, other rules → −26 with the reason first", () => {
  const decode = submitError(new DecodeError("short"), "Block") as RpcError;
  assert.equal(decode.rpcCode, -22);
  const missing = submitError(new ValidationError("bad-txns-inputs-missingorspent"), "TX");
  assert.equal((missing as RpcError).rpcCode, -25);
  const rule = submitError(new ValidationError("sample-loss-mismatch", "3.1 vs 2.9"), "Block");
  assert.equal((rule as RpcError).rpcCode, -26);
  assert.match((rule as RpcError).message, /^sample-loss-mismatch: 3.1 vs 2.9$/);
  const other = new Error("x");
  assert.equal(submitError(other, "TX"), other);
});
