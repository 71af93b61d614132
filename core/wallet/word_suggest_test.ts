import assert from "node:assert/strict";
import { editDistance, isMnemonicWord, suggestWord } from "./word_suggest.ts";

Deno.test("suggestWord: a unique prefix or the nearest word within two edits", () => {
  assert.equal(suggestWord("abandn"), "abandon");
  assert.equal(suggestWord("abando"), "abandon");
  assert.equal(suggestWord("Zooo"), "zoo");
  assert.equal(suggestWord("helo"), "hello");
  assert.equal(suggestWord("qqqqqqqq"), undefined);
  assert.equal(suggestWord(""), undefined);
});

Deno.test("isMnemonicWord and editDistance", () => {
  assert.ok(isMnemonicWord("abandon"));
  assert.ok(!isMnemonicWord("abandn"));
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("kitten", "sitting", 2), 2);
  assert.equal(editDistance("", "abc"), 3);
});
