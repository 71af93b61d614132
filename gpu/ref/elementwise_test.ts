import assert from "node:assert/strict";
import { addInPlace, scale } from "./elementwise.ts";

Deno.test("addInPlace() adds x into y", () => {
  const y = new Float32Array([1, 2, 3]);
  addInPlace(y, new Float32Array([0.5, -2, 4]));
  assert.deepEqual(Array.from(y), [1.5, 0, 7]);
});

Deno.test("addInPlace() rejects a length mismatch", () => {
  assert.throws(() => addInPlace(new Float32Array(2), new Float32Array(3)), RangeError);
});

Deno.test("scale() multiplies every element", () => {
  assert.deepEqual(Array.from(scale(new Float32Array([1, -2, 0.5]), 4)), [4, -8, 2]);
});
