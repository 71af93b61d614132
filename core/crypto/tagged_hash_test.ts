import assert from "node:assert/strict";
import { keccak256d } from "./keccak.ts";
import { taggedHash } from "./tagged_hash.ts";

const magic = new Uint8Array([0xaa, 0xbb, 0xcc, 0xdd]);

Deno.test("taggedHash() hashes len(tag) ‖ tag ‖ magic ‖ parts with keccak256d", () => {
  const expected = keccak256d(
    new Uint8Array([3, 0x61, 0x2f, 0x62, 0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3]),
  );
  assert.deepEqual(taggedHash("a/b", magic, new Uint8Array([1]), new Uint8Array([2, 3])), expected);
});

Deno.test("taggedHash() separates tags, networks and nothing else", () => {
  const data = new Uint8Array([9, 9]);
  const base = taggedHash("rnt/txid", magic, data);
  assert.notDeepEqual(taggedHash("rnt/wtxid", magic, data), base);
  assert.notDeepEqual(taggedHash("rnt/txid", new Uint8Array([0xaa, 0xbb, 0xcc, 0xde]), data), base);
  // Splitting the data into parts does not change the hash: parts are plain concatenation.
  assert.deepEqual(taggedHash("rnt/txid", magic, data.subarray(0, 1), data.subarray(1)), base);
});

Deno.test("taggedHash() rejects a bad tag or magic with RangeError", () => {
  assert.throws(() => taggedHash("", magic), RangeError);
  assert.throws(() => taggedHash("has space", magic), RangeError);
  assert.throws(() => taggedHash("x".repeat(65), magic), RangeError);
  assert.throws(() => taggedHash("ok", new Uint8Array(3)), RangeError);
});
