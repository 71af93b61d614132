/**
 * Payments per second through real nodes (issue 16 item 8): three `rnt node --regtest` processes
 * A, B, C with channels A→B and B→C; `PAYMENTS` sequential `ln_pay` calls of 0.0001 RNT from A to
 * B (one hop, the baseline) and as many from A to C through B (two hops: B forwards), each to a
 * fresh invoice of the payee (`ln_invoice`, not timed). Prints each rate and the ratio two-hop /
 * one-hop, both measured in the same run on the same nodes. Sequential: one payment in flight at
 * a time (the latency of a payment is what is measured; its commitment round trips dominate).
 *
 * Run: deno run -A bench/ln_pay_bench.ts [PAYMENTS=20]
 *
 * @module
 */
import { REGTEST } from "../core/consensus/params.ts";
import { tempDir } from "../tests/helpers.ts";
import type { NodeProcess } from "../tests/node_process.ts";
import { waitUntil } from "../tests/p2p_helpers.ts";
import { type Json, ln, waitStatus, walletNode } from "../tests/ln_node_helpers.ts";

const payments = Number(Deno.args[0] ?? 20);

await using dir = await tempDir("rnt-ln-pay-bench-");
const nodes: NodeProcess[] = [];
try {
  for (const name of ["a", "b", "c"]) {
    await Deno.mkdir(`${dir.path}/${name}`);
    nodes.push(await walletNode(`${dir.path}/${name}`));
  }
  const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
  const bInfo = await ln(b, ["info"]), cInfo = await ln(c, ["info"]);
  const bId = bInfo.node_id as string, cId = cInfo.node_id as string;
  await ln(a, ["connect", `${bId}@127.0.0.1:${bInfo.listen_port}`]);
  await ln(b, ["connect", `${cId}@127.0.0.1:${cInfo.listen_port}`]);
  const mineA = async (n: number) =>
    await a.rpc("generatetoaddress", [n, await a.rpc<string>("getnewaddress")]);
  await mineA(REGTEST.coinbaseMaturity + 1);
  await a.rpc("sendtoaddress", [await b.rpc<string>("getnewaddress"), 2]);
  await mineA(1);
  await waitUntil(async () => Number(await b.rpc("getbalance")) === 2, 30_000, () => "B unfunded");
  const ab = (await ln(a, ["open", bId, "1"])).channel_id as string;
  const bcOpen = await ln(b, ["open", cId, "1"]);
  await waitUntil(
    async () => (await a.rpc<string[]>("getrawmempool")).includes(bcOpen.funding_txid as string),
    30_000,
    () => "B's funding never reached A",
  );
  await mineA(1);
  await waitStatus([a, b], ab, "normal");
  await waitStatus([b, c], bcOpen.channel_id as string, "normal");

  const rate = async (payee: NodeProcess, hops: number): Promise<number> => {
    let timedMs = 0;
    for (let i = 0; i < payments; i++) {
      const invoice = await payee.rpc<Json>("ln_invoice", ["0.0001", `bench ${i}`]);
      const t0 = performance.now();
      const paid = await a.rpc<Json>("ln_pay", [invoice.invoice]);
      timedMs += performance.now() - t0;
      if ((paid.route as Json[]).length !== hops) throw new Error(`expected ${hops} hops`);
    }
    return payments / (timedMs / 1000);
  };
  const oneHop = await rate(b, 1);
  const twoHops = await rate(c, 2);
  console.log(`payments: ${payments} sequential of 0.0001 RNT each`);
  console.log(`one hop   (A→B):   ${oneHop.toFixed(2)} payments/s`);
  console.log(`two hops  (A→B→C): ${twoHops.toFixed(2)} payments/s`);
  console.log(`ratio two hops / one hop: ${(twoHops / oneHop).toFixed(3)}`);
} finally {
  for (const n of nodes) await n.stop();
}
