import assert from "node:assert/strict";
import { bytesEqual } from "./bytes_equal.ts";
import { mulberry32 } from "./mulberry32.ts";
import { timingSafeEqual } from "./timing_safe_equal.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const CASES: [string, string, boolean][] = [
  ["abc", "abc", true],
  ["", "", true],
  ["abc", "abd", false],
  ["abc", "abcabc", false],
  ["abcabc", "abc", false],
  ["a", "", false],
  ["", "a", false],
];

Deno.test("bytesEqual() is true only for the same length and bytes", () => {
  for (const [a, b, want] of CASES) assert.equal(bytesEqual(enc(a), enc(b)), want, `${a}|${b}`);
});

Deno.test("bytesEqual() compares views by their contents, not their buffers", () => {
  const buf = new Uint8Array([9, 1, 2, 9, 1, 2]);
  assert.equal(bytesEqual(buf.subarray(0, 3), buf.subarray(3)), true);
  assert.equal(bytesEqual(buf.subarray(0, 2), buf.subarray(1, 3)), false);
});

Deno.test("timingSafeEqual() is true only for identical bytes", () => {
  for (const [a, b, want] of CASES) {
    assert.equal(timingSafeEqual(enc(a), enc(b)), want, `${a}|${b}`);
  }
});

Deno.test("timingSafeEqual() agrees with bytesEqual() on seeded random pairs", () => {
  const rand = mulberry32(0x2545f491);
  const next = () => Math.floor(rand() * 256);
  for (let n = 0; n < 500; n++) {
    const a = Uint8Array.from({ length: next() % 5 }, () => next() % 3);
    const b = Uint8Array.from({ length: next() % 5 }, () => next() % 3);
    assert.equal(timingSafeEqual(a, b), bytesEqual(a, b), `${a}|${b}`);
  }
});
