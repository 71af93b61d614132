import assert from "node:assert/strict";
import { REGTEST, TESTNET } from "../../core/consensus/params.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { RecoveryKind } from "../../core/primitives/address.ts";
import { minerHeartbeatKey, resolveRewardAddress } from "./miner_address.ts";

const seed = new Uint8Array(32).fill(9);

Deno.test("minerHeartbeatKey() is the miner key's own heartbeat address, stable per seed", () => {
  const a = minerHeartbeatKey(REGTEST, seed);
  assert.deepEqual(a, minerHeartbeatKey(REGTEST, seed));
  assert.equal(a.owner.public_key, toHex(keyPairFromSeed(seed).publicKey));
  assert.notEqual(a.recovery.secret_key, a.owner.secret_key);
  assert.notEqual(a.address, minerHeartbeatKey(REGTEST, new Uint8Array(32).fill(8)).address);
  assert.ok(minerHeartbeatKey(TESTNET, seed).address.startsWith("trnt1"));
});

Deno.test("resolveRewardAddress() uses --address when given, else the miner key's address", () => {
  const other = minerHeartbeatKey(REGTEST, new Uint8Array(32).fill(1)).address;
  assert.equal(resolveRewardAddress(REGTEST, other, seed).text, other);
  const own = resolveRewardAddress(REGTEST, undefined, seed);
  assert.equal(own.text, minerHeartbeatKey(REGTEST, seed).address);
  assert.equal(own.data.kind, RecoveryKind.heartbeat);
  assert.throws(() => resolveRewardAddress(REGTEST, "rrnt1notanaddress", seed));
});
