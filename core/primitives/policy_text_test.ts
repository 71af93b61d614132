import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { toHex } from "../crypto/keccak.ts";
import { formatPolicy, parsePolicy } from "./policy_text.ts";
import { heartbeatPolicy } from "./recovery_policies.ts";
import { everyNodePolicy, testKey } from "./_fixtures.ts";

const hexA = toHex(testKey(0).publicKey);
const hexB = toHex(testKey(1).publicKey);

Deno.test("formatPolicy() prints the heartbeat template in canonical text", () => {
  const p = heartbeatPolicy(testKey(0).publicKey, testKey(1).publicKey, 86400);
  assert.equal(formatPolicy(p), `or(pk(${hexA}),and(older(86400),pk(${hexB})))`);
});

Deno.test("parsePolicy() inverts formatPolicy() for every node type", () => {
  const p = everyNodePolicy();
  const text = formatPolicy(p);
  assert.deepEqual(parsePolicy(text), p);
  assert.equal(formatPolicy(parsePolicy(text)), text);
});

Deno.test("parsePolicy() rejects non-canonical or malformed text with DecodeError", () => {
  const bad = [
    "",
    "older(01)",
    "older( 1)",
    "older(1) ",
    `pk(${hexA.toUpperCase()})`,
    `pk(${hexA.slice(2)})`,
    "and(older(1))",
    `multi(0,${hexA})`,
    `multi(1,${hexA},${hexA})`,
    "thresh(2,older(1))",
    "nope(1)",
    "older(1)x",
    "older(99999999999999999)",
    "or(older(1),after(2)",
    "and(".repeat(20) + "older(1)" + ")".repeat(20),
  ];
  for (const t of bad) assert.throws(() => parsePolicy(t), DecodeError, t);
});

Deno.test("parsePolicy() accepts whitespace-free thresh and multi", () => {
  const p = parsePolicy(`thresh(1,multi(1,${hexA},${hexB}),after(5))`);
  assert.equal(p.type, "thresh");
});
