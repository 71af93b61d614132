import assert from "node:assert/strict";
import { decodePolicy, encodePolicy } from "./policy_codec.ts";
import { older, pk } from "./policy.ts";
import {
  heartbeatPolicy,
  matchHeartbeat,
  matchPendingRecovery,
  matchSocial,
  pendingRecoveryPolicy,
  socialPolicy,
} from "./recovery_policies.ts";
import { testKey } from "./_fixtures.ts";

const K = (i: number) => testKey(i).publicKey;

Deno.test("matchHeartbeat() recovers the parts of heartbeatPolicy() after a round-trip", () => {
  const p = decodePolicy(encodePolicy(heartbeatPolicy(K(0), K(1), 3600)));
  assert.deepEqual(matchHeartbeat(p), { owner: K(0), recovery: K(1), intervalSecs: 3600 });
  assert.equal(matchHeartbeat(socialPolicy(K(0), 1, [K(1)])), null);
  assert.equal(matchHeartbeat(pk(K(0))), null);
});

Deno.test("matchSocial() and matchPendingRecovery() recover their templates", () => {
  const social = socialPolicy(K(0), 2, [K(1), K(2), K(3)]);
  assert.deepEqual(matchSocial(social), { owner: K(0), k: 2, guardians: [K(1), K(2), K(3)] });
  const pending = pendingRecoveryPolicy(social, 86400, pk(K(9)));
  assert.deepEqual(matchPendingRecovery(decodePolicy(encodePolicy(pending))), {
    ownerPolicy: social,
    delaySecs: 86400,
    newOwnerPolicy: pk(K(9)),
  });
  assert.equal(matchPendingRecovery(social), null);
  assert.equal(matchSocial(older(5)), null);
});
