import assert from "node:assert/strict";
import { REGTEST, TESTNET } from "../consensus/params.ts";
import { fromHex } from "../crypto/keccak.ts";
import { decodeAddress, RecoveryKind } from "../primitives/address.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import { parsePolicy } from "../primitives/policy_text.ts";
import { matchHeartbeat } from "../primitives/recovery_policies.ts";
import { newHeartbeatKey } from "./heartbeat_key.ts";

Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("newHeartbeatKey() gives a heartbeat address of or(pk(owner), and(older(min interval), pk(recovery)))", () => {
  const k = newHeartbeatKey(TESTNET, new Uint8Array(32).fill(7), new Uint8Array(32).fill(9));
  const policy = parsePolicy(k.policy);
  const parts = matchHeartbeat(policy)!;
  assert.deepEqual(parts.owner, fromHex(k.owner.public_key));
  assert.deepEqual(parts.recovery, fromHex(k.recovery.public_key));
  assert.equal(parts.intervalSecs, TESTNET.heartbeatMinIntervalSecs);
  const a = decodeAddress(TESTNET, k.address);
  assert.equal(a.kind, RecoveryKind.heartbeat);
  assert.deepEqual(a.hash, policyHash(policy));
  assert.equal(k.owner.secret_key, "07".repeat(32));
});

Deno.test("newHeartbeatKey() draws fresh distinct keys by default", () => {
  const a = newHeartbeatKey(REGTEST);
  const b = newHeartbeatKey(REGTEST);
  assert.notEqual(a.owner.secret_key, b.owner.secret_key);
  assert.notEqual(a.owner.secret_key, a.recovery.secret_key);
  assert.match(a.address, /^rrnt1/);
});
