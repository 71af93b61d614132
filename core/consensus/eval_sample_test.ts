import assert from "node:assert/strict";
import { toHex } from "../crypto/keccak.ts";
import { evalSampleSeed, sampleWindowStarts } from "./eval_sample.ts";
import { genesisBlock } from "./genesis.ts";
import { MAINNET, REGTEST } from "./params.ts";

const header = genesisBlock(REGTEST).header;

Deno.test("evalSampleSeed() ignores the loss claims and transaction roots but follows checkpoint root, time and network", () => {
  const seed = toHex(evalSampleSeed(REGTEST.magic, header));
  for (
    const claims of [
      { sampleLossMicroNats: 1 },
      { parentSampleLossMicroNats: 1 },
      { txRoot: new Uint8Array(32).fill(1) },
      { witnessRoot: new Uint8Array(32).fill(2) },
    ]
  ) {
    assert.equal(toHex(evalSampleSeed(REGTEST.magic, { ...header, ...claims })), seed);
  }
  const root = new Uint8Array(32).fill(7);
  assert.notEqual(toHex(evalSampleSeed(REGTEST.magic, { ...header, checkpointRoot: root })), seed);
  assert.notEqual(
    toHex(evalSampleSeed(REGTEST.magic, { ...header, timestampSecs: header.timestampSecs + 1 })),
    seed,
  );
  assert.notEqual(toHex(evalSampleSeed(MAINNET.magic, header)), seed);
});

Deno.test("sampleWindowStarts() draws aligned in-range windows, the same for the same seed", () => {
  const seed = evalSampleSeed(REGTEST.magic, header);
  const starts = sampleWindowStarts(seed, 1_000_000, 64, 500);
  assert.equal(starts.length, 500);
  for (const s of starts) assert.ok(s % 64 === 0 && s >= 0 && s + 64 <= 1_000_000, `${s}`);
  assert.deepEqual(sampleWindowStarts(seed, 1_000_000, 64, 500), starts);
  // A prefix of a longer draw: K can be read as the first K draws.
  assert.deepEqual(sampleWindowStarts(seed, 1_000_000, 64, 10), starts.slice(0, 10));
  const other = sampleWindowStarts(new Uint8Array(32), 1_000_000, 64, 500);
  assert.notDeepEqual(other, starts);
});

Deno.test("sampleWindowStarts() draws every window about equally often", () => {
  // 7 windows (not a power of two, so the rejection step matters); 70,000 draws: each count
  // has mean 10,000 and standard deviation ≈ 93, so ±500 is over 5σ.
  const counts = new Array(7).fill(0);
  for (const s of sampleWindowStarts(new Uint8Array(32).fill(1), 7 * 10 + 3, 10, 70_000)) {
    counts[s / 10]++;
  }
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `counts ${counts}`);
});

Deno.test("sampleWindowStarts() refuses a corpus without a window and bad sizes", () => {
  const seed = new Uint8Array(32);
  assert.throws(() => sampleWindowStarts(seed, 63, 64, 1), RangeError);
  assert.throws(() => sampleWindowStarts(seed, 640, 1, 1), RangeError);
  assert.throws(() => sampleWindowStarts(seed, 640, 64, 0), RangeError);
});

Deno.test("the sample seed and windows match pinned vectors (other implementations must agree)", () => {
  assert.equal(
    toHex(evalSampleSeed(REGTEST.magic, header)),
    "c5f662441d93f136ac2249e6ec3cc56b458868a5a4fb55c8e01865cfb2a36b2f",
  );
  assert.deepEqual(
    sampleWindowStarts(new Uint8Array(32), 8_162_884, 64, 8),
    [6236416, 5170496, 5485376, 1529216, 6119616, 6734848, 2480320, 3320192],
  );
});
