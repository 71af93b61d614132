import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { keccak256d } from "../crypto/keccak.ts";
import { checkRandomInputs, checkTruncations } from "../encoding/_testing.ts";
import { decodePolicy, encodePolicy, policyHash } from "./policy_codec.ts";
import {
  after,
  and,
  hashLock,
  multi,
  older,
  or,
  pk,
  type Policy,
  POLICY_LIMITS,
  thresh,
} from "./policy.ts";
import { everyNodePolicy, testKey } from "./_fixtures.ts";

const key = (i: number) => testKey(i).publicKey;

Deno.test("decodePolicy() round-trips every node type byte for byte", () => {
  const p = everyNodePolicy();
  const bytes = encodePolicy(p);
  assert.deepEqual(decodePolicy(bytes), p);
  assert.deepEqual(encodePolicy(decodePolicy(bytes)), bytes);
});

Deno.test("encodePolicy() writes the documented layout", () => {
  const k = key(0);
  assert.deepEqual([...encodePolicy(pk(k))], [1, ...k]);
  assert.deepEqual([...encodePolicy(older(0x0102))], [4, 2, 1, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...encodePolicy(after(1))], [3, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...encodePolicy(multi(1, [k]))], [2, 1, 1, ...k]);
  assert.deepEqual([...encodePolicy(or(older(1), after(2)))], [
    7,
    2,
    4,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    3,
    2,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  assert.deepEqual(encodePolicy(thresh(1, older(1))).subarray(0, 3), new Uint8Array([8, 1, 1]));
  assert.deepEqual(encodePolicy(and(older(1), older(2)))[0], 6);
  assert.deepEqual(encodePolicy(hashLock(k))[0], 5);
});

Deno.test("decodePolicy() rejects truncation at every offset and trailing bytes", () => {
  checkTruncations(decodePolicy, encodePolicy(everyNodePolicy()));
});

Deno.test("decodePolicy() only ever throws DecodeError on random bytes", () => {
  checkRandomInputs(decodePolicy, encodePolicy(everyNodePolicy()), 3000, 777);
});

Deno.test("encodePolicy() and decodePolicy() reject non-canonical shapes", () => {
  const bad: [Policy, RegExp][] = [
    [multi(0, [key(0)]), /k out of range/],
    [multi(2, [key(0)]), /k out of range/],
    [multi(1, [key(0), key(0)]), /duplicate key/],
    [multi(1, []), /needs 1..20 keys/],
    [older(0), /time out of range/],
    [after(0), /time out of range/],
    [and(older(1)), /needs 2..16 children/],
    [or(older(1)), /needs 2..16 children/],
    [thresh(0, older(1)), /k out of range/],
    [thresh(2, older(1)), /k out of range/],
    [pk(new Uint8Array(31)), /32 bytes/],
  ];
  for (const [p, re] of bad) assert.throws(() => encodePolicy(p), re);
  // The same shapes as bytes: multi k = 0, thresh k > n, and with one child, duplicate multi key.
  const k = key(0);
  const bytes = [
    [2, 0, 1, ...k],
    [8, 2, 1, 4, 1, 0, 0, 0, 0, 0, 0, 0],
    [6, 1, 4, 1, 0, 0, 0, 0, 0, 0, 0],
    [2, 1, 2, ...k, ...k],
    [4, 0, 0, 0, 0, 0, 0, 0, 0],
    [4, 0, 0, 0, 0, 0, 0, 0x20, 0], // 2^53: above the safe-integer bound
    [9],
  ];
  for (const b of bytes) assert.throws(() => decodePolicy(new Uint8Array(b)), DecodeError);
});

Deno.test("decodePolicy() rejects a policy deeper than the limit", () => {
  let p: Policy = older(1);
  for (let d = 1; d < POLICY_LIMITS.maxDepth; d++) p = and(p, older(1));
  const ok = encodePolicy(p); // exactly maxDepth
  assert.deepEqual(decodePolicy(ok), p);
  const deeper = and(p, older(1));
  assert.throws(() => encodePolicy(deeper), /deeper than 8/);
  const bytes = new Uint8Array([6, 2, ...ok, 4, 1, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => decodePolicy(bytes), DecodeError);
});

Deno.test("encodePolicy() enforces the node and key limits", () => {
  const leaves = Array.from({ length: 16 }, (_, i) => older(i + 1));
  const wide = and(...Array.from({ length: 4 }, () => and(...leaves))); // 1 + 4 × 17 = 69 nodes
  assert.throws(() => encodePolicy(wide), /more than 64 nodes/);
  const keys = Array.from({ length: 20 }, (_, i) => key(i));
  const many = and(multi(1, keys), multi(1, keys), pk(key(30)));
  assert.throws(() => encodePolicy(many), /more than 40 keys/);
});

Deno.test("policyHash() is keccak256d of the canonical encoding", () => {
  const p = everyNodePolicy();
  assert.deepEqual(policyHash(p), keccak256d(encodePolicy(p)));
  assert.notDeepEqual(policyHash(older(1)), policyHash(older(2)));
});
