import assert from "node:assert/strict";
import {
  blockProgressPpm,
  blockWork,
  chainWork,
  compareChainWork,
  REORG_MARGIN_MAX_BLOCKS,
  reorgMarginWork,
} from "./chain_work.ts";
import { REGTEST } from "./params.ts";

Deno.test("blockProgressPpm() floors the verified relative improvement and never goes negative", () => {
  assert.equal(blockProgressPpm({ parentSum: 3_000_000n, childSum: 2_000_000n }), 333_333);
  assert.equal(blockProgressPpm({ parentSum: 100n, childSum: 100n }), 0);
  assert.equal(blockProgressPpm({ parentSum: 100n, childSum: 150n }), 0);
});

Deno.test("blockWork() is 1 plus the progress, capped per block", () => {
  assert.equal(blockWork(REGTEST, { parentSum: 1_000_000n, childSum: 990_000n }), 10_001n);
  assert.equal(
    blockWork(REGTEST, { parentSum: 1_000_000n, childSum: 100_000n }),
    1n + BigInt(REGTEST.blockWorkCapPpm),
  );
  assert.throws(() => chainWork(0n, 0n), RangeError);
});

Deno.test("one huge (memorised or lucky) block cannot outweigh 20 honest blocks of μ each", () => {
  // Honest: 20 blocks that each verified exactly μ on their samples.
  const mu = BigInt(REGTEST.sampleMinImprovementPpm);
  let honest = 0n;
  for (let i = 0; i < 20; i++) {
    honest = chainWork(
      honest,
      blockWork(REGTEST, { parentSum: 1_000_000n, childSum: 1_000_000n - mu }),
    );
  }
  // A fork with one block whose sample claims a 97% improvement.
  const fork = chainWork(0n, blockWork(REGTEST, { parentSum: 1_000_000n, childSum: 30_000n }));
  assert.equal(compareChainWork(honest, fork), -1);
  assert.equal(compareChainWork(fork, honest), 1);
  assert.equal(compareChainWork(honest, honest), 0);
});

Deno.test("reorgMarginWork() owes one capped block per replaced block beyond the first, up to the bound", () => {
  const capped = 1n + BigInt(REGTEST.blockWorkCapPpm);
  assert.equal(reorgMarginWork(REGTEST, 0), 0n);
  assert.equal(reorgMarginWork(REGTEST, 1), 0n);
  assert.equal(reorgMarginWork(REGTEST, 2), capped);
  assert.equal(reorgMarginWork(REGTEST, 4), 3n * capped);
  assert.equal(reorgMarginWork(REGTEST, REORG_MARGIN_MAX_BLOCKS + 1), 6n * capped);
  assert.equal(reorgMarginWork(REGTEST, 100), BigInt(REORG_MARGIN_MAX_BLOCKS) * capped);
  assert.throws(() => reorgMarginWork(REGTEST, -1), RangeError);
  assert.throws(() => reorgMarginWork(REGTEST, 1.5), RangeError);
});
