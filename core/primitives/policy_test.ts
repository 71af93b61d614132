import assert from "node:assert/strict";
import {
  and,
  hashLock,
  hasTimelock,
  multi,
  older,
  or,
  pk,
  policyHashLocks,
  policyKeys,
  policyProblem,
} from "./policy.ts";
import { everyNodePolicy, preimageHash, testKey } from "./_fixtures.ts";

const K = (i: number) => testKey(i).publicKey;

Deno.test("policyKeys() lists pk and multi keys in tree order", () => {
  assert.deepEqual(policyKeys(everyNodePolicy()), [K(0), K(1), K(2), K(3), K(4)]);
});

Deno.test("policyHashLocks() lists hash() locks", () => {
  assert.deepEqual(policyHashLocks(everyNodePolicy()), [preimageHash]);
  assert.deepEqual(policyHashLocks(pk(K(0))), []);
});

Deno.test("hasTimelock() finds after/older anywhere in the tree", () => {
  assert.equal(hasTimelock(everyNodePolicy()), true);
  assert.equal(hasTimelock(or(pk(K(0)), multi(1, [K(1)]))), false);
  assert.equal(hasTimelock(and(hashLock(preimageHash), or(pk(K(0)), older(3)))), true);
});

Deno.test("policyProblem() is null for a valid policy and names the problem otherwise", () => {
  assert.equal(policyProblem(everyNodePolicy()), null);
  assert.match(policyProblem(older(1.5)) ?? "", /time out of range/);
});
