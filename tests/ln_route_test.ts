/**
 * A payment over two hops between three real `rnt node --regtest` processes (PROTOCOL §9.11
 * "Forwarding", "Paying over routes"): channels A→B and B→C are funded and confirmed; C's
 * invoice carries a route hint for B→C, so A routes A→B→C; B forwards the HTLC (checking its fee
 * and expiry delta), C fulfills, the preimage flows back, every balance moves by the right amount
 * and B earns exactly its forwarding fee. Then B's outgoing balance is too small for a larger
 * invoice: A's `ln pay` fails with B's decrypted error naming B and
 * `temporary_channel_failure`, and nothing moves. An amount above A's balance is refused as
 * insufficient capacity. An invoice of a node in no channel, without
 * route hints, fails with "no route".
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
  channel,
  forwardFeeMres,
  type Json,
  ln,
  LnBlocks,
  lnRun,
  MRES_PER_RNT,
  waitStatus,
  walletNode,
} from "./ln_node_helpers.ts";

gpuTest(
  "A pays C through B over real processes: B forwards and earns its fee; a failing hop is named",
  async () => {
    await using dir = await tempDir("rnt-ln-route-");
    const nodes: NodeProcess[] = [];
    try {
      for (const name of ["a", "b", "c"]) {
        await Deno.mkdir(`${dir.path}/${name}`);
        nodes.push(await walletNode(`${dir.path}/${name}`));
      }
      const [a, b, c] = nodes as [NodeProcess, NodeProcess, NodeProcess];
      const bInfo = await ln(b, ["info"]);
      const cInfo = await ln(c, ["info"]);
      const bId = bInfo.node_id as string, cId = cInfo.node_id as string;
      await ln(a, ["connect", `${bId}@127.0.0.1:${bInfo.listen_port}`]);
      await ln(b, ["connect", `${cId}@127.0.0.1:${cInfo.listen_port}`]);

      // A mines and pays B coins for its channel to C.
      // Blocks on A without training (fixture checkpoints; every node checks and evaluates each).
      const blocks = await LnBlocks.start(a);
      const mineA = async (n: number) => await blocks.mine(n);
      await mineA(REGTEST.coinbaseMaturity + 1);
      await a.rpc("sendtoaddress", [await b.rpc<string>("getnewaddress"), 2]);
      await mineA(1);
      await waitUntil(
        async () => Number(await b.rpc("getbalance")) === 2,
        30_000,
        async () => `B's balance ${await b.rpc("getbalance")}`,
      );

      const ab = (await ln(a, ["open", bId, "1"])).channel_id as string;
      const bcOpen = await ln(b, ["open", cId, "0.5"]);
      const bc = bcOpen.channel_id as string;
      // B's funding reaches A's mempool before A mines the block that confirms both.
      await waitUntil(
        async () =>
          (await a.rpc<string[]>("getrawmempool")).includes(bcOpen.funding_txid as string),
        30_000,
        () => "B's funding transaction never reached A's mempool",
      );
      await mineA(1);
      await waitStatus([a, b], ab, "normal");
      await waitStatus([b, c], bc, "normal");
      const local = async (n: NodeProcess, id: string) =>
        BigInt((await channel(n, id))?.local_balance_mres as string);
      const abCapacity = MRES_PER_RNT, bcCapacity = MRES_PER_RNT / 2n;

      // A → B → C: 0.1 RNT.
      const amount = MRES_PER_RNT / 10n;
      const invoice = await ln(c, ["addinvoice", "--amount", "0.1", "--description", "tea"]);
      const paid = await ln(a, ["pay", invoice.invoice as string]);
      assert.equal(paid.payment_hash, invoice.payment_hash);
      assert.equal(paid.amount_mres, String(amount));
      assert.equal(paid.fee_mres, String(forwardFeeMres(amount)));
      assert.equal(paid.attempts, 1);
      assert.deepEqual((paid.route as Json[]).map((h) => h.node_id), [bId, cId]);
      assert.equal(paid.channel_id, ab);
      const expected = new Map<string, bigint>([
        [`a:${ab}`, abCapacity - amount - forwardFeeMres(amount)],
        [`b:${ab}`, amount + forwardFeeMres(amount)],
        [`b:${bc}`, bcCapacity - amount],
        [`c:${bc}`, amount],
      ]);
      const byName = { a, b, c } as Record<string, NodeProcess>;
      const balances = async () => {
        const out: Record<string, string> = {};
        for (const key of expected.keys()) {
          const [name, id] = key.split(":") as [string, string];
          out[key] = String(await local(byName[name]!, id));
        }
        return out;
      };
      const settled = async () =>
        Object.entries(await balances()).every(([k, v]) => v === String(expected.get(k)));
      await waitUntil(
        settled,
        30_000,
        async () => `balances ${JSON.stringify(await balances())}\n--- B\n${b.log.slice(-3000)}`,
      );
      // B holds exactly its fee more than it put in (0.5 RNT on B→C).
      assert.equal(
        (await local(b, ab)) + (await local(b, bc)) - bcCapacity,
        forwardFeeMres(amount),
      );
      assert.match(b.log, new RegExp(`earned ${forwardFeeMres(amount)} mres`));

      // 0.45 RNT: A's channel can carry it, B's outgoing balance (0.4 RNT) cannot. B fails it
      // with temporary_channel_failure; A decrypts B's error and, with no other route, stops.
      const big = await ln(c, ["addinvoice", "--amount", "0.45", "--description", "too much"]);
      const refused = await lnRun(a, ["pay", big.invoice as string]);
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        new RegExp(`node ${bId} \\(hop 1\\) failed the payment: temporary_channel_failure`),
      );
      // Nothing moved (the failed HTLC is removed from every commitment).
      await waitUntil(settled, 30_000, async () => `balances ${JSON.stringify(await balances())}`);
      assert.match(c.log, /received 10000000000 mres/);

      // More than A's channel holds: refused before any HTLC, naming what A can send.
      const huge = await ln(c, ["addinvoice", "--amount", "0.95", "--description", "huge"]);
      const tooBig = await lnRun(a, ["pay", huge.invoice as string]);
      assert.equal(tooBig.code, 1);
      assert.match(tooBig.stderr, /insufficient capacity: our channels can send at most \d+ mres/);

      // An invoice of a node in no channel, without route hints: no route.
      await Deno.mkdir(`${dir.path}/d`);
      // A node key of its own (a 32-byte hex seed, as `rnt node` writes one).
      const seed = crypto.getRandomValues(new Uint8Array(32));
      await Deno.writeTextFile(
        `${dir.path}/d/node.key`,
        Array.from(seed, (x) => x.toString(16).padStart(2, "0")).join("") + "\n",
      );
      const offline = await runRnt([
        "ln",
        "invoice",
        "--regtest",
        "--datadir",
        `${dir.path}/d`,
        "--amount",
        "0.01",
        "--description",
        "nowhere",
        "--json",
      ]);
      assert.equal(offline.code, 0, offline.stderr);
      const lost = await lnRun(a, ["pay", JSON.parse(offline.stdout).invoice]);
      assert.equal(lost.code, 1);
      assert.match(lost.stderr, /no route to the payee [0-9a-f]{64}: .*no route hint/);
    } finally {
      for (const n of nodes) await n.stop();
    }
  },
);
