import assert from "node:assert/strict";
import { REGTEST, TESTNET } from "../../core/consensus/params.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { UsageError } from "../../core/errors.ts";
import { parseDurationSecs, parseRecoveryFlag } from "./recovery_flag.ts";

const key = (n: number) => toHex(keyPairFromSeed(new Uint8Array(32).fill(n)).publicKey);

Deno.test("parseDurationSecs() reads seconds and m/h/d suffixes and rejects others", () => {
  assert.equal(parseDurationSecs("90", "x"), 90);
  assert.equal(parseDurationSecs("15m", "x"), 900);
  assert.equal(parseDurationSecs("2h", "x"), 7200);
  assert.equal(parseDurationSecs("30d", "x"), 2_592_000);
  assert.throws(() => parseDurationSecs("1.5h", "x"), UsageError);
  assert.throws(() => parseDurationSecs("-3", "x"), UsageError);
});

Deno.test("parseRecoveryFlag() parses heartbeat with own or external key", () => {
  assert.deepEqual(parseRecoveryFlag("heartbeat:1h", REGTEST), {
    kind: "heartbeat",
    intervalSecs: 3600,
    recovery: { type: "own" },
  });
  const s = parseRecoveryFlag(`heartbeat:60:${key(1)}`, REGTEST);
  assert.equal(
    s.kind === "heartbeat" && s.recovery.type === "key" && toHex(s.recovery.publicKey),
    key(1),
  );
});

Deno.test("parseRecoveryFlag() parses social K:guardians:delay", () => {
  const s = parseRecoveryFlag(`social:2:${key(1)},${key(2)},${key(3)}:10`, REGTEST);
  assert.equal(s.kind, "social");
  assert.equal(s.kind === "social" && s.threshold, 2);
  assert.equal(s.kind === "social" && s.guardians.length, 3);
  assert.equal(s.kind === "social" && s.cancelDelaySecs, 10);
});

Deno.test("parseRecoveryFlag() rejects values the network refuses and bad shapes", () => {
  assert.throws(() => parseRecoveryFlag("heartbeat:59", REGTEST), /interval must be ≥ 60/);
  assert.throws(() => parseRecoveryFlag("heartbeat:1h", TESTNET), /interval must be ≥ 86400/);
  assert.throws(() => parseRecoveryFlag(`social:3:${key(1)},${key(2)}:10`, REGTEST), /threshold/);
  assert.throws(() => parseRecoveryFlag(`social:1:${key(1)},${key(1)}:10`, REGTEST), /distinct/);
  assert.throws(() => parseRecoveryFlag(`social:1:${key(1)}:5`, REGTEST), /Cancel delay/);
  assert.throws(() => parseRecoveryFlag("heartbeat:60:abcd", REGTEST), /64 hex digits/);
  assert.throws(() => parseRecoveryFlag("multisig:2", REGTEST), UsageError);
});
