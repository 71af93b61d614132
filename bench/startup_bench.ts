/**
 * Node start on a chain of N regtest blocks (default 300, coinbase only, scripted losses):
 * `Chainstate.open` (reads the block index) then `Node.create` (mempool included), each timed
 * on its own, medians of `runs` reopenings of the same datadir.
 *
 * Run: deno run --allow-read --allow-write --allow-env --allow-ffi bench/startup_bench.ts
 *        [blocks=300] [runs=7]
 */
import { Chainstate } from "../core/chain/chainstate.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { ScriptedEvaluator } from "../core/consensus/testing/block_builder.ts";
import { Mempool } from "../core/mempool/mempool.ts";
import { mineTestBlocks } from "../net/connman/_test_nodes.ts";
import { MockableClock } from "../node/clock.ts";
import { Node } from "../node/node.ts";

const blocksWanted = Number(Deno.args[0] ?? 300);
const runs = Number(Deno.args[1] ?? 7);
const evaluator = new ScriptedEvaluator();
const blocks = await mineTestBlocks(REGTEST, evaluator, blocksWanted);
const dir = await Deno.makeTempDir({ prefix: "rnt-bench-start-" });
const clock = { nowSecs: () => 1_767_225_600 + 365 * 86_400 };
// The scripted evaluator's losses do not depend on the bytes, and no block is evaluated at start:
// a one-window corpus is enough.
const corpus = new Uint8Array(REGTEST.validationWindowBytes);
const open = () => Chainstate.open(dir, REGTEST, evaluator, corpus, clock);
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

const first = await open();
for (const b of blocks) await first.acceptBlock(b.block, b.checkpoint);
await first.close();
// One start first: a store that lacks an index the code keeps builds it once, not measured.
await (await open()).close();

const openMs: number[] = [];
const createMs: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const chainstate = await open();
  const t1 = performance.now();
  const node = await Node.create({
    params: REGTEST,
    chainstate,
    mempool: new Mempool(chainstate),
    evaluator,
    corpus,
    clock: new MockableClock(),
    logger: { log: () => {}, close: () => {} },
    datadir: dir,
  });
  const t2 = performance.now();
  openMs.push(t1 - t0);
  createMs.push(t2 - t1);
  await node.detach();
  await chainstate.close();
}
await Deno.remove(dir, { recursive: true });
console.log(
  JSON.stringify({
    blocks: blocksWanted,
    runs,
    open_ms: +median(openMs).toFixed(1),
    node_create_ms: +median(createMs).toFixed(2),
  }),
);
