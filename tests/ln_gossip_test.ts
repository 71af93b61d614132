/**
 * Gossip between real `rnt node --regtest` processes (PROTOCOL §9.9 "In the node"): channels
 * A→B and B→C are opened with the CLI and confirmed; each pair exchanges
 * `announcement_signatures`, and A learns B–C (its announcement, checked against A's own chain,
 * and B's signed `channel_update`) from B. C's invoices carry no route hint, so A can reach C only
 * over the gossiped graph: it pays through B, and the fee is exactly what B's update asks. B then
 * opens a second channel to C; a payment larger than B's side of the first fails there (B's error
 * names it), and A retries over the second, listing the failed route. A restarted A reads its
 * graph back from its datadir. (A new peer's initial sync is node/lightning/gossip_service_test.ts's:
 * a fresh node here would first sync the whole chain.)
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { gpuTest } from "../gpu/testing.ts";
import { runRnt, tempDir } from "./helpers.ts";
import type { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";
import {
  type Json,
  ln,
  LnBlocks,
  MRES_PER_RNT,
  waitStatus,
  walletNode,
} from "./ln_node_helpers.ts";

/** The channels of `graph` between `x` and `y`, in the order the node learned them. */
function channelsBetween(graph: Json, x: string, y: string): Json[] {
  return (graph.channels as Json[]).filter((c) =>
    (c.node1 === x && c.node2 === y) || (c.node1 === y && c.node2 === x)
  );
}

/** The policy of `from` on `channel`, if its update is held. */
function policyOf(channel: Json | undefined, from: string): Json | undefined {
  return (channel?.policies as Json[] | undefined)?.find((p) => p.from === from);
}

/** The hex form of a `HEIGHTxTXxOUTPUT` short channel id, as `ln_pay` routes name channels. */
function hexScid(id: string): string {
  const [height, tx, output] = id.split("x").map(BigInt) as [bigint, bigint, bigint];
  return ((height << 32n) | (tx << 16n) | output).toString(16).padStart(16, "0");
}

gpuTest(
  "A learns B–C from gossip, pays C through B without route hints, retries around a failing channel; the graph survives a restart",
  async () => {
    await using dir = await tempDir("rnt-ln-gossip-");
    const nodes: NodeProcess[] = [];
    try {
      for (const name of ["a", "b", "c"]) {
        await Deno.mkdir(`${dir.path}/${name}`);
        nodes.push(await walletNode(`${dir.path}/${name}`));
      }
      let [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
      const aId = (await ln(a, ["info"])).node_id as string;
      const bInfo = await ln(b, ["info"]);
      const cInfo = await ln(c, ["info"]);
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
      /** Opens `from` → `to` and mines the block that confirms it (the funding seen by A first). */
      const open = async (from: NodeProcess, to: string, args: string[]) => {
        const opened = await ln(from, ["open", to, ...args]);
        await waitUntil(
          async () =>
            (await a.rpc<string[]>("getrawmempool")).includes(opened.funding_txid as string),
          30_000,
          () => "the funding transaction never reached A's mempool",
        );
        return opened.channel_id as string;
      };
      const ab = await open(a, bId, ["1"]);
      // B's first channel to C: 0.6 RNT, 0.3 of it C's from the start.
      const bc1 = await open(b, cId, ["0.6", "--push", "0.3"]);
      await blocks.mine(1);
      await waitStatus([a, b], ab, "normal");
      await waitStatus([b, c], bc1, "normal");

      // A hears of B–C from B: the announcement and B's policy towards C.
      let graph: Json = {};
      const aLearns = async (count: number) =>
        await waitUntil(
          async () => {
            graph = await ln(a, ["graph"]);
            const bcs = channelsBetween(graph, bId, cId);
            return bcs.length === count && bcs.every((ch) => policyOf(ch, bId) !== undefined) &&
              channelsBetween(graph, aId, bId).length === 1;
          },
          30_000,
          () => `A's graph ${JSON.stringify(graph)}\n--- B\n${b.log.slice(-3000)}`,
        );
      await aLearns(1);
      assert.deepEqual(
        (graph.nodes as Json[]).map((n) => n.node_id).sort(),
        [aId, bId, cId].sort(),
      );
      const first = channelsBetween(graph, bId, cId)[0]!;
      assert.equal(first.capacity_mres, String(MRES_PER_RNT * 6n / 10n));
      // The short channel id names the funding output's place: the third block after maturity.
      assert.match(
        first.short_channel_id as string,
        new RegExp(`^${REGTEST.coinbaseMaturity + 3}x[1-9][0-9]*x[0-9]+$`),
      );
      const bPolicy = policyOf(first, bId)!;
      const fee = (amount: bigint) =>
        BigInt(bPolicy.fee_base_mres as number) +
        amount * BigInt(bPolicy.fee_proportional_millionths as number) / 1_000_000n;
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

      // C's invoices have no route hint: only the graph leads A to C.
      const invoice = async (rnt: string) =>
        (await ln(c, ["addinvoice", "--amount", rnt, "--no-hints"])).invoice as string;
      const small = await invoice("0.1");
      const decoded = await runRnt(["ln", "decode", small, "--regtest", "--json"]);
      assert.deepEqual(JSON.parse(decoded.stdout).route_hints, []);
      const amount = MRES_PER_RNT / 10n;
      const paid = await ln(a, ["pay", small]);
      assert.equal(paid.amount_mres, String(amount));
      assert.equal(paid.fee_mres, String(fee(amount)));
      assert.equal(paid.attempts, 1);
      assert.deepEqual(paid.failed_routes, []);
      assert.equal(paid.channel_id, ab);
      assert.deepEqual((paid.route as Json[]).map((h) => h.node_id), [bId, cId]);
      assert.equal((paid.route as Json[])[1]!.channel, hexScid(first.short_channel_id as string));
      await waitUntil(
        async () => await Promise.resolve(c.log.includes(`received ${amount} mres`)),
        30_000,
        () => `C never received\n--- C\n${c.log.slice(-3000)}`,
      );
      assert.match(b.log, new RegExp(`earned ${fee(amount)} mres`));

      // A second channel B → C, learned after the first (so A's search meets the first first).
      const bc2 = await open(b, cId, ["0.5"]);
      await blocks.mine(1);
      await waitStatus([b, c], bc2, "normal");
      await aLearns(2);
      const second = channelsBetween(graph, bId, cId)[1]!;
      // 0.25 RNT: more than B holds on the first channel (0.2), less than on the second.
      const big = MRES_PER_RNT / 4n;
      const retried = await ln(a, ["pay", await invoice("0.25")]);
      assert.equal(retried.attempts, 2);
      assert.equal(retried.fee_mres, String(fee(big)));
      const failed = retried.failed_routes as Json[];
      assert.equal(failed.length, 1);
      assert.equal(
        (failed[0]!.route as Json[])[1]!.channel,
        hexScid(first.short_channel_id as string),
      );
      assert.match(
        failed[0]!.failure as string,
        new RegExp(`node ${bId} \\(hop 1\\) failed the payment: temporary_channel_failure`),
      );
      assert.equal(
        (retried.route as Json[])[1]!.channel,
        hexScid(second.short_channel_id as string),
      );

      // A restarted reads its graph from its datadir.
      await a.stop();
      a = await walletNode(a.datadir);
      nodes[0] = a;
      assert.match(a.log, /loaded a graph of 3 channels and 3 nodes/);
    } finally {
      for (const n of nodes) await n.stop();
    }
  },
);
