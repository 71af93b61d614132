/**
 * A lagging clock does not fork a node off for good (issue 15 bug 3), with real `rnt node
 * --regtest` processes: node B's clock (`setmocktime`) is more than the allowed drift behind the
 * timestamps of the blocks node A holds (real trained blocks of the committed fixture, submitted
 * to A). B refuses them as too new, yet keeps A connected, discourages nobody and records no
 * block as invalid; once B's clock catches up (`setmocktime 0`) B takes A's chain without a
 * restart.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { blockId, decodeBlock } from "../core/primitives/block.ts";
import { gpuTest } from "../gpu/testing.ts";
import { importChainFixture, readChainFixture } from "./chain_fixture.ts";
import { tempDir } from "./helpers.ts";
import {
  type P2pNode,
  startP2pNode,
  stopAll,
  tipOf,
  waitForTip,
  waitUntil,
} from "./p2p_helpers.ts";

const params = REGTEST;
const BLOCKS = 3;

async function peerAddrs(n: P2pNode): Promise<string[]> {
  return (await n.proc.rpc<{ addr: string }[]>("getpeerinfo")).map((p) => p.addr);
}

gpuTest(
  "a node whose clock lags refuses blocks too far ahead without penalty or invalid marking, and takes the chain once its clock catches up",
  async () => {
    const fixture = (await readChainFixture()).slice(0, BLOCKS);
    const headers = fixture.map((b) => decodeBlock(b.block, params).header);
    const ids = headers.map((h) => toHex(blockId(params.magic, h)));
    await using da = await tempDir();
    await using db = await tempDir();
    const nodes: (P2pNode | undefined)[] = [];
    try {
      const a = await startP2pNode(da.path);
      nodes.push(a);
      const b = await startP2pNode(db.path);
      nodes.push(b);
      // B's clock an hour behind the earliest time at which A's first block may be accepted.
      const lagging = headers[0]!.timestampSecs - params.maxFutureBlockTimeSecs - 3600;
      assert.equal(await b.proc.rpc("setmocktime", [lagging]), null);
      await importChainFixture(a.proc, fixture);
      assert.equal((await tipOf(a)).hash, ids.at(-1));

      assert.equal(await b.proc.rpc("addnode", [`127.0.0.1:${a.port}`, "onetry"]), null);
      await waitUntil(
        () => Promise.resolve(/ahead of our clock \(time-too-new\)/.test(b.proc.log)),
        60_000,
        () => b.proc.log,
      );
      // Give the sync a few scheduler rounds to (wrongly) retry, punish or drop.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await tipOf(b)).height, 0);
      assert.match(b.proc.log, new RegExp(`rejected block ${ids[0]} height=1: time-too-new`));
      // Nothing stored, so nothing marked invalid; A still connected, nobody discouraged.
      await assert.rejects(b.proc.rpc("getblock", [ids[0]]), /not found/);
      assert.deepEqual(await peerAddrs(b), [`127.0.0.1:${a.port}`]);
      assert.equal((await peerAddrs(a)).length, 1);
      assert.deepEqual(await b.proc.rpc("listbanned"), []);
      assert.deepEqual(await a.proc.rpc("listbanned"), []);
      assert.doesNotMatch(b.proc.log, /discouraging|sent invalid block/);

      // The clock catches up: the same connection delivers A's chain.
      assert.equal(await b.proc.rpc("setmocktime", [0]), null);
      await waitForTip([a, b], ids.at(-1)!, 120_000);
      assert.deepEqual(await peerAddrs(b), [`127.0.0.1:${a.port}`]);
      assert.deepEqual(await b.proc.rpc("listbanned"), []);
    } finally {
      await stopAll(nodes);
    }
  },
);
