/**
 * Gossip between real `rnt node --regtest` processes (PROTOCOL §9.9 "In the node"): channels
 * A→B and B→C are opened with the CLI and confirmed; each pair exchanges
 * `announcement_signatures`, and A learns B–C (its announcement, checked against A's own chain,
 * and B's signed `channel_update`) from B. C's invoice carries no route hint, so A can reach C
 * only over the gossiped graph: it pays through B, and the fee is exactly what B's update asks. A
 * restarted A reads its graph back from its datadir. (A new peer's initial sync is
 * node/lightning/gossip_service_test.ts's: a fresh node here would first sync the whole chain.)
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { gpuTest } from "../gpu/testing.ts";
import { runRnt, tempDir } from "./helpers.ts";
import type { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";
import { type Json, ln, LnBlocks, waitStatus, walletNode } from "./ln_node_helpers.ts";

const MRES_PER_RNT = 100_000_000_000n;

/** The channel of `graph` between `x` and `y`, if listed. */
function channelBetween(graph: Json, x: string, y: string): Json | undefined {
  return (graph.channels as Json[]).find((c) =>
    (c.node1 === x && c.node2 === y) || (c.node1 === y && c.node2 === x)
  );
}

/** The policy of `from` on `channel`, if its update is held. */
function policyOf(channel: Json | undefined, from: string): Json | undefined {
  return (channel?.policies as Json[] | undefined)?.find((p) => p.from === from);
}

gpuTest(
  "A learns B–C from gossip and pays C through B without route hints; the graph survives a restart",
  async () => {
    await using dir = await tempDir("rnt-ln-gossip-");
    const nodes: NodeProcess[] = [];
    try {
      for (const name of ["a", "b", "c"]) {
        await Deno.mkdir(`${dir.path}/${name}`);
        nodes.push(await walletNode(`${dir.path}/${name}`));
      }
      let [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
      const aInfo = await ln(a, ["info"]);
      const bInfo = await ln(b, ["info"]);
      const cInfo = await ln(c, ["info"]);
      const aId = aInfo.node_id as string;
      const bId = bInfo.node_id as string, cId = cInfo.node_id as string;
      await ln(a, ["connect", `${bId}@127.0.0.1:${bInfo.listen_port}`]);
      await ln(b, ["connect", `${cId}@127.0.0.1:${cInfo.listen_port}`]);

      const blocks = await LnBlocks.start(a);
      await blocks.mine(REGTEST.coinbaseMaturity + 1);
      await a.rpc("sendtoaddress", [await b.rpc<string>("getnewaddress"), 2]);
      await blocks.mine(1);
      await waitUntil(
        async () => Number(await b.rpc("getbalance")) === 2,
        30_000,
        async () => `B's balance ${await b.rpc("getbalance")}`,
      );
      const ab = (await ln(a, ["open", bId, "1"])).channel_id as string;
      const bcOpen = await ln(b, ["open", cId, "0.5"]);
      await waitUntil(
        async () =>
          (await a.rpc<string[]>("getrawmempool")).includes(bcOpen.funding_txid as string),
        30_000,
        () => "B's funding transaction never reached A's mempool",
      );
      await blocks.mine(1);
      await waitStatus([a, b], ab, "normal");
      await waitStatus([b, c], bcOpen.channel_id as string, "normal");

      // A hears of B–C from B: the announcement and B's policy towards C.
      let graph: Json = {};
      await waitUntil(
        async () => {
          graph = await ln(a, ["graph"]);
          return policyOf(channelBetween(graph, bId, cId), bId) !== undefined &&
            channelBetween(graph, aId, bId) !== undefined;
        },
        30_000,
        () =>
          `A's graph ${JSON.stringify(graph)}\n--- A\n${a.log.slice(-3000)}\n--- B\n${
            b.log.slice(-3000)
          }`,
      );
      assert.equal((graph.channels as Json[]).length, 2);
      assert.deepEqual(
        (graph.nodes as Json[]).map((n) => n.node_id).sort(),
        [aId, bId, cId].sort(),
      );
      const bc = channelBetween(graph, bId, cId)!;
      assert.equal(bc.capacity_mres, String(MRES_PER_RNT / 2n));
      // The short channel id names the funding output's place: the third block after maturity.
      assert.match(
        bc.short_channel_id as string,
        new RegExp(`^${REGTEST.coinbaseMaturity + 3}x[1-9][0-9]*x[0-9]+$`),
      );
      const bPolicy = policyOf(bc, bId)!;
      const human = await runRnt([
        "ln",
        "graph",
        "--regtest",
        "--datadir",
        a.datadir,
        "--rpcport",
        String(a.rpcPort),
      ]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /3 nodes, 2 channels/);

      // C's invoice has no route hint: only the graph leads A to C.
      const amount = MRES_PER_RNT / 10n;
      const invoice = await ln(c, ["addinvoice", "--amount", "0.1", "--no-hints"]);
      const decoded = await runRnt([
        "ln",
        "decode",
        invoice.invoice as string,
        "--regtest",
        "--json",
      ]);
      assert.deepEqual(JSON.parse(decoded.stdout).route_hints, []);
      const paid = await ln(a, ["pay", invoice.invoice as string]);
      const fee = BigInt(bPolicy.fee_base_mres as number) +
        amount * BigInt(bPolicy.fee_proportional_millionths as number) / 1_000_000n;
      assert.equal(paid.amount_mres, String(amount));
      assert.equal(paid.fee_mres, String(fee));
      assert.equal(paid.attempts, 1);
      assert.equal(paid.channel_id, ab);
      assert.deepEqual((paid.route as Json[]).map((h) => h.node_id), [bId, cId]);
      await waitUntil(
        async () => await Promise.resolve(c.log.includes(`received ${amount} mres`)),
        30_000,
        () => `C never received\n--- C\n${c.log.slice(-3000)}`,
      );
      assert.match(b.log, new RegExp(`earned ${fee} mres`));

      // A restarted reads its graph from its datadir.
      await a.stop();
      a = await walletNode(a.datadir);
      nodes[0] = a;
      assert.match(a.log, /loaded a graph of 2 channels and 3 nodes/);
    } finally {
      for (const n of nodes) await n.stop();
    }
  },
);
