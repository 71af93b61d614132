import assert from "node:assert/strict";
import { REGTEST, TESTNET } from "../consensus/params.ts";
import { defaultRecoverySpec } from "./recovery_spec.ts";

Deno.test("defaultRecoverySpec() is a quarter of the emission-return age, at least the minimum", () => {
  const r = defaultRecoverySpec(REGTEST);
  assert.equal(r.kind === "heartbeat" && r.intervalSecs, 900);
  const t = defaultRecoverySpec(TESTNET);
  assert.equal(t.kind === "heartbeat" && t.intervalSecs, TESTNET.emissionReturnAgeSecs / 4);
});
