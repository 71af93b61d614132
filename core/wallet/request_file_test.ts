import assert from "node:assert/strict";
import { REGTEST, TESTNET } from "../consensus/params.ts";
import { toHex } from "../crypto/keccak.ts";
import { encodeTx } from "../primitives/tx.ts";
import { socialFixture } from "./_social_fixture.ts";
import {
  decodeRequestFile,
  decodeRequestFileTx,
  decodeSignatureFile,
  encodeRequestFile,
  encodeSignatureFile,
} from "./request_file.ts";
import { createPaidRecoveryRequest, signRecoveryRequest } from "./social_recovery.ts";
import { WalletError } from "./wallet_errors.ts";

function request() {
  const f = socialFixture();
  return { f, req: createPaidRecoveryRequest(REGTEST, { ...f.base, feeRatePerByte: 1n }) };
}

/** Asserts `fn` throws a bad-recovery-request whose message matches `message`. */
function rejects(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof WalletError, `not a WalletError: ${e}`);
    assert.equal(e.reason, "bad-recovery-request");
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("decodeRequestFile() gives back the encoded request; re-encoding gives the same text", () => {
  const { req } = request();
  const text = encodeRequestFile(REGTEST, req);
  const back = decodeRequestFile(REGTEST, text);
  assert.deepEqual(back, req);
  assert.equal(encodeRequestFile(REGTEST, back), text);
  assert.ok(text.endsWith("}\n"));
  assert.deepEqual(decodeRequestFileTx(REGTEST, text), req.tx);
});

Deno.test("decodeRequestFile() rejects malformed files with a clear error", () => {
  const { req } = request();
  const good = JSON.parse(encodeRequestFile(REGTEST, req));
  const text = (patch: Record<string, unknown>) => JSON.stringify({ ...good, ...patch });
  const cases: [string, RegExp][] = [
    ["", /not JSON/],
    ["{", /not JSON/],
    ["[1]", /not a JSON object/],
    ["null", /not a JSON object/],
    [text({ format: "psbt" }), /not a regtest recovery request/],
    [text({ network: "testnet" }), /not a regtest recovery request/],
    [text({ tx: undefined }), /missing or non-string field 'tx'/],
    [text({ spent_value: 5 }), /missing or non-string field 'spent_value'/],
    [text({ tx: "zz" }), /bad tx/],
    [text({ tx: good.tx.slice(0, -2) }), /bad tx/],
    [text({ spent_value: "-1" }), /bad spent_value/],
    [text({ spent_value: "1e9" }), /bad spent_value/],
    [text({ social_policy: "pk(" }), /bad social_policy/],
    [text({ pending_policy: "older(10)" }), /Output is not the pending-recovery policy/],
    [text({ spent_value: "1" }), /Output exceeds the spent value/],
  ];
  for (const [t, message] of cases) rejects(() => decodeRequestFile(REGTEST, t), message);
  rejects(() => decodeRequestFile(TESTNET, JSON.stringify(good)), /not a testnet recovery/);
});

Deno.test("decodeRequestFile() throws only bad-recovery-request for every truncation", () => {
  const text = encodeRequestFile(REGTEST, request().req);
  for (let n = 0; n < text.length - 2; n++) {
    rejects(() => decodeRequestFile(REGTEST, text.slice(0, n)), /./);
  }
});

Deno.test("decodeRequestFileTx() reads the transaction without the policies", () => {
  const { req } = request();
  const good = JSON.parse(encodeRequestFile(REGTEST, req));
  const noPolicy = JSON.stringify({ ...good, pending_policy: "not checked here" });
  assert.equal(toHex(encodeTx(decodeRequestFileTx(REGTEST, noPolicy))), good.tx);
  rejects(() => decodeRequestFileTx(REGTEST, JSON.stringify({ ...good, tx: "00" })), /bad tx/);
});

Deno.test("decodeSignatureFile() round-trips a guardian signature and rejects malformed ones", () => {
  const { f, req } = request();
  const sig = signRecoveryRequest(REGTEST, req, f.guardians[0]!.secretKey);
  assert.deepEqual(decodeSignatureFile(encodeSignatureFile(sig)), sig);
  const pub = toHex(sig.publicKey), s = toHex(sig.signature);
  const cases: [string, RegExp][] = [
    ["nope", /signature file is not JSON/],
    ["{}", /public_key: 64 hex digits/],
    [JSON.stringify({ public_key: pub.slice(2), signature: s }), /public_key/],
    [JSON.stringify({ public_key: pub, signature: s + "00" }), /signature: 128 hex digits/],
    [JSON.stringify({ public_key: pub, signature: 5 }), /signature: 128 hex digits/],
  ];
  for (const [t, message] of cases) rejects(() => decodeSignatureFile(t), message);
});
