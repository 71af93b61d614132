import assert from "node:assert/strict";
import {
  ALL_REJECT_REASONS,
  isRejectReason,
  mayBecomeValid,
  reasonCategory,
  type RejectReason,
} from "../../core/consensus/reasons.ts";
import { PENALTIES, penaltyFor } from "./penalty.ts";

const reasons = ALL_REJECT_REASONS;
const CONSENSUS = new Set(["header", "block", "tx", "pot"]);

Deno.test("every reject reason maps to a defined penalty in both contexts", () => {
  for (const reason of reasons) {
    for (const context of ["block", "tx"] as const) {
      const penalty = penaltyFor(reason, context);
      assert.ok(penalty === "discourage" || penalty === "none", `${reason} as ${context}`);
    }
  }
});

Deno.test("consensus-invalid block data discourages; a reason that may pass later never does", () => {
  for (const reason of reasons) {
    const category = reasonCategory(reason);
    const expected = CONSENSUS.has(category) ? "discourage" : "none";
    assert.equal(penaltyFor(reason, "block"), expected, reason);
    // Exactly the non-consensus categories may pass later and are never marked invalid.
    assert.equal(mayBecomeValid(reason), !CONSENSUS.has(category), reason);
  }
  assert.equal(penaltyFor("bad-txnmrklroot", "block"), "discourage");
  assert.equal(penaltyFor("sample-loss-mismatch", "block"), "discourage");
  assert.equal(penaltyFor("bad-blk-sig", "block"), "discourage");
  assert.equal(penaltyFor("time-too-new", "block"), "none");
  assert.equal(penaltyFor("time-too-old", "block"), "discourage");
});

Deno.test("a loose transaction is never punished: judged against our tip, or only our policy", () => {
  for (const reason of reasons) {
    const category = reasonCategory(reason);
    if (category === "tx" || category === "policy" || category === "time-future") {
      assert.equal(penaltyFor(reason, "tx"), "none", reason);
    }
  }
  assert.equal(penaltyFor("bad-txns-inputs-missingorspent", "tx"), "none");
  assert.equal(penaltyFor("bad-txns-inputs-missingorspent", "block"), "discourage");
  assert.equal(penaltyFor("mempool-full", "tx"), "none");
});

Deno.test("every category has a penalty row and every row is some reason's category", () => {
  const used = new Set(reasons.map(reasonCategory));
  assert.deepEqual([...used].sort(), Object.keys(PENALTIES).sort());
});

Deno.test("docs/PROTOCOL.md §8.11 states the same penalty table as the code", async () => {
  const doc = await Deno.readTextFile(new URL("../../docs/PROTOCOL.md", import.meta.url));
  const start = doc.indexOf("### 8.11");
  const end = doc.indexOf("\n#", start + 1);
  const section = doc.slice(start, end < 0 ? undefined : end);
  const words: Record<string, string> = { "disconnect+discourage": "discourage", none: "none" };
  const rows = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").slice(1, -1).map((c) => c.trim());
    const name = /^`([a-z-]+)`$/.exec(cells[0] ?? "")?.[1];
    if (name) rows.set(name, cells);
  }
  assert.deepEqual([...rows.keys()].sort(), Object.keys(PENALTIES).sort());
  for (const [category, cells] of rows) {
    const row = PENALTIES[category as keyof typeof PENALTIES];
    assert.equal(words[cells[2] ?? ""], row.block, `${category} as a block`);
    // "—": no reason of the category can reject a loose transaction.
    if (cells[3] !== "—") assert.equal(words[cells[3] ?? ""], row.tx, `${category} as a tx`);
    for (const named of (cells[1] ?? "").matchAll(/`([a-z-]+)`/g)) {
      const reason = named[1] as RejectReason;
      assert.ok(isRejectReason(reason), `${reason} is a reject reason`);
      assert.equal(reasonCategory(reason), category, `${reason} listed under ${category}`);
    }
  }
});
