import assert from "node:assert/strict";
import { EvaluationBudget, hostGroup } from "./evaluation_budget.ts";

Deno.test("hostGroup() groups IPv4 by /16, IPv6 by its first 32 bits, names by their first character", () => {
  assert.equal(hostGroup("203.0.113.7"), "203.0");
  assert.equal(hostGroup("203.0.9.9"), "203.0");
  assert.notEqual(hostGroup("203.1.113.7"), "203.0");
  assert.equal(hostGroup("[2001:DB8:1::1]"), "2001:db8");
  assert.equal(hostGroup("abcdef.onion"), "name:a");
});

Deno.test("EvaluationBudget lets a group burst, then holds it to its share of wall time", () => {
  let now = 0;
  const budget = new EvaluationBudget({ burstSecs: 10, share: 0.25 }, () => now);
  assert.equal(budget.waitSecs("a"), 0);
  budget.charge("a", 12); // the evaluation that overdraws is allowed to finish
  assert.equal(budget.waitSecs("a"), 8); // 2 s owed at 0.25 s per s
  assert.equal(budget.waitSecs("b"), 0, "another group is not held");
  now += 4000;
  assert.equal(budget.waitSecs("a"), 4);
  now += 4000;
  assert.equal(budget.waitSecs("a"), 0);
  // It refills to the burst and no further.
  now += 1_000_000;
  budget.charge("a", 10);
  assert.equal(budget.waitSecs("a"), 0);
  budget.charge("a", 0.001);
  assert.ok(budget.waitSecs("a") > 0);
  assert.throws(() => new EvaluationBudget({ burstSecs: 0 }), RangeError);
});
