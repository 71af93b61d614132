import assert from "node:assert/strict";
import { merkleProof, merkleRoot, verifyMerkleProof } from "./merkle.ts";
import { taggedHash } from "./tagged_hash.ts";
import { seededBytes } from "../encoding/_testing.ts";

const magic = new Uint8Array([9, 8, 7, 6]);
const rnd = seededBytes(2024);
const leaves = Array.from({ length: 13 }, () => rnd(32));
const u32 = (n: number) => new Uint8Array([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]);
const node = (a: Uint8Array, b: Uint8Array) => taggedHash("rnt/merkle-node", magic, a, b);
const root = (n: number, top: Uint8Array) => taggedHash("rnt/merkle-root", magic, u32(n), top);

Deno.test("merkleRoot() follows the documented scheme for 0, 1 and 3 leaves", () => {
  const [a, b, c] = leaves as [Uint8Array, Uint8Array, Uint8Array];
  assert.deepEqual(merkleRoot(magic, []), root(0, new Uint8Array(32)));
  assert.deepEqual(merkleRoot(magic, [a]), root(1, a));
  // Odd last node carried up unchanged, not duplicated.
  assert.deepEqual(merkleRoot(magic, [a, b, c]), root(3, node(node(a, b), c)));
});

Deno.test("merkleRoot() differs when the last leaf is duplicated (no CVE-2012-2459)", () => {
  const [a, b, c] = leaves as [Uint8Array, Uint8Array, Uint8Array];
  assert.notDeepEqual(merkleRoot(magic, [a, b, c]), merkleRoot(magic, [a, b, c, c]));
  for (let n = 1; n < 12; n++) {
    const list = leaves.slice(0, n);
    const dup = [...list, list[n - 1]!];
    assert.notDeepEqual(merkleRoot(magic, list), merkleRoot(magic, dup), `n=${n}`);
  }
});

Deno.test("merkleRoot() differs when inner nodes are presented as leaves", () => {
  const [a, b, c] = leaves as [Uint8Array, Uint8Array, Uint8Array];
  assert.notDeepEqual(merkleRoot(magic, [a, b, c]), merkleRoot(magic, [node(a, b), c]));
});

Deno.test("merkleRoot() depends on order, each leaf and the network magic", () => {
  const list = leaves.slice(0, 5);
  const r = merkleRoot(magic, list);
  assert.notDeepEqual(merkleRoot(magic, [list[1]!, list[0]!, ...list.slice(2)]), r);
  const changed = list.map((x) => x.slice());
  changed[4]![0]! ^= 1;
  assert.notDeepEqual(merkleRoot(magic, changed), r);
  assert.notDeepEqual(merkleRoot(new Uint8Array([9, 8, 7, 7]), list), r);
});

Deno.test("merkleProof() proofs verify for every leaf of every size up to 13", () => {
  for (let n = 1; n <= 13; n++) {
    const list = leaves.slice(0, n);
    const r = merkleRoot(magic, list);
    for (let i = 0; i < n; i++) {
      const proof = merkleProof(magic, list, i);
      assert.ok(verifyMerkleProof(magic, list[i]!, i, n, proof, r), `n=${n} i=${i}`);
      // Wrong index, count, leaf, or an extra/missing sibling all fail.
      if (n > 1) assert.ok(!verifyMerkleProof(magic, list[i]!, (i + 1) % n, n, proof, r));
      assert.ok(!verifyMerkleProof(magic, list[i]!, i, n + 1, proof, r));
      assert.ok(!verifyMerkleProof(magic, rnd(32), i, n, proof, r));
      assert.ok(!verifyMerkleProof(magic, list[i]!, i, n, [...proof, rnd(32)], r));
      if (proof.length > 0) {
        assert.ok(!verifyMerkleProof(magic, list[i]!, i, n, proof.slice(1), r));
      }
    }
  }
});

Deno.test("merkleRoot() rejects leaves that are not 32 bytes", () => {
  assert.throws(() => merkleRoot(magic, [new Uint8Array(31)]), RangeError);
  assert.throws(() => merkleProof(magic, leaves, 13), RangeError);
});
