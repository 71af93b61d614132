import assert from "node:assert/strict";
import { closestWord, editDistance } from "./suggest.ts";

Deno.test("editDistance counts single-character edits", () => {
  assert.equal(editDistance("", ""), 0);
  assert.equal(editDistance("node", "node"), 0);
  assert.equal(editDistance("nod", "node"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
});

Deno.test("closestWord suggests near typos and prefixes, nothing for unrelated words", () => {
  const commands = ["node", "cli", "mine", "wallet", "key", "model", "ln", "help"];
  assert.equal(closestWord("nide", commands), "node");
  assert.equal(closestWord("walet", commands), "wallet");
  assert.equal(closestWord("mod", commands), "model");
  assert.equal(closestWord("frobnicate", commands), undefined);
  assert.equal(closestWord("rpcprot", ["rpcport", "rpcuser"]), "rpcport");
});
