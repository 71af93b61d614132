/**
 * The channel heartbeat between two real `rnt node --regtest` processes (PROTOCOL §9.7): A funds
 * a channel to B; the chain's median time past is moved on (fixture blocks stamped later,
 * tests/ln_node_helpers.ts) until the funding output is half `emissionReturnAgeSecs` (3600 s on
 * regtest) old; A proposes a funding refresh, B accepts, A completes and broadcasts it. Both
 * nodes are SIGKILLed with the refresh only in their mempools and restarted without them: the
 * stored refresh goes out again and confirms. Both nodes then show the new funding outpoint (value less
 * the fee, paid by A), a payment goes through the refreshed channel, and once the OLD funding
 * output would be past the emission-return age it is spent (nothing left to sweep) while the new
 * one holds the channel's money and the node's mining template sweeps other old coins but not
 * it. Finally B goes away for good: the next refresh falls due with nobody to sign it, and A force
 * closes the channel at three quarters of the age, on the new outpoint, before any sweep could take it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { fromHex } from "../core/crypto/keccak.ts";
import { decodeTx } from "../core/primitives/tx.ts";
import { gpuTest } from "../gpu/testing.ts";
import { freePort, tempDir } from "./helpers.ts";
import type { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";
import {
  channel,
  type Json,
  ln,
  LnBlocks,
  lnRun,
  waitStatus,
  walletNode,
} from "./ln_node_helpers.ts";

/** The refresh of a 1 RNT channel at 1 resonance per byte: a signed one-output funding spend. */
const REFRESH_FEE_RESONANCES = 369n;

gpuTest(
  "two regtest nodes refresh a channel's funding output before emission return, pay through it, and force close when the peer stops cooperating",
  async () => {
    await using dir = await tempDir("rnt-ln-refresh-");
    const aDir = `${dir.path}/a`, bDir = `${dir.path}/b`;
    await Deno.mkdir(aDir);
    await Deno.mkdir(bDir);
    const aPort = freePort(), bPort = freePort();
    let a: NodeProcess | undefined, b: NodeProcess | undefined;
    try {
      a = await walletNode(aDir, aPort);
      b = await walletNode(bDir, bPort);
      const bId = (await ln(b, ["info"])).node_id as string;
      await ln(a, ["connect", `${bId}@127.0.0.1:${bPort}`]);
      const blocks = await LnBlocks.start(a);
      await blocks.mine(REGTEST.coinbaseMaturity + 1);

      const opened = await ln(a, ["open", bId, "1", "--push", "0.1"]);
      const id = opened.channel_id as string;
      const oldFunding = { txid: opened.funding_txid as string, vout: opened.funding_vout };
      await blocks.mine(1);
      await waitStatus([a, b], id, "normal");
      const listed = (await ln<Json[]>(a, ["channels"])).find((c) => c.channel_id === id)!;
      assert.equal(listed.refresh_at_age_secs, REGTEST.emissionReturnAgeSecs / 2);
      assert.equal(listed.force_close_at_age_secs, REGTEST.emissionReturnAgeSecs * 3 / 4);
      assert.equal(typeof listed.funding_age_secs, "number");
      assert.ok((listed.funding_age_secs as number) < 1800);
      assert.equal(listed.refreshing, false);
      const text = await lnRun(a, ["channels"]);
      assert.match(
        text.stdout,
        /heartbeat {2}funding \d+ s old; refresh at 1800 s, force close at 2700 s\n/,
      );

      // Five blocks after one stamped 2000 s later, the funding output is ~2200 s old by MTP.
      blocks.skip(2000);
      await blocks.mine(6);
      const refreshTxid = await waitUntilValue(async () => {
        const pool = await a!.rpc<string[]>("getrawmempool");
        return pool.length === 1 ? pool[0] : undefined;
      }, `no refresh in A's mempool\n--- A\n${a.log.slice(-3000)}\n--- B\n${b.log.slice(-3000)}`);
      assert.match(a.log, /proposing a refresh/);
      assert.match(b.log, /accepted the peer's funding refresh/);
      const refresh = await a.rpc<Json>("getrawtransaction", [refreshTxid, true]);
      const vin = (refresh.vin as Json[])[0]!;
      assert.deepEqual({ txid: vin.txid, vout: vin.vout }, oldFunding);
      assert.equal((refresh.vout as Json[]).length, 1);
      assert.equal((await channel(a, id))?.refreshing, true);
      assert.equal((await channel(b, id))?.refreshing, true);

      // Both nodes die with the refresh only in their mempools and come back without them: the
      // stored, fully signed refresh goes out again on the next block and confirms after.
      await waitUntil(
        async () => (await b!.rpc<string[]>("getrawmempool")).includes(refreshTxid),
        20_000,
        () => "refresh not in B's mempool",
      );
      for (const [node, path] of [[a, aDir], [b, bDir]] as const) {
        assert.equal((await node.stop("SIGKILL")).signal, "SIGKILL");
        await Deno.remove(`${path}/mempool.dat`).catch(() => {});
      }
      a = await walletNode(aDir, aPort);
      b = await walletNode(bDir, bPort);
      blocks.node = a;
      assert.deepEqual(await a.rpc("getrawmempool"), []);
      assert.equal((await channel(a, id))?.refreshing, true);
      assert.equal((await channel(b, id))?.refreshing, true);
      await blocks.mine(1);
      await waitUntil(
        async () => (await a!.rpc<string[]>("getrawmempool")).includes(refreshTxid),
        20_000,
        () => `refresh not broadcast again\n--- A\n${a!.log.slice(-3000)}`,
      );
      assert.match(a.log, /broadcasting the funding refresh \(again\)/);
      await blocks.mine(1);
      await waitUntil(
        async () =>
          (await Promise.all([a!, b!].map((n) => channel(n, id)))).every((c) =>
            c?.funding_txid === refreshTxid && c?.funding_vout === 0 && c?.refreshing === false
          ),
        20_000,
        async () =>
          `channels ${JSON.stringify([await channel(a!, id), await channel(b!, id)])}\n` +
          `--- A\n${a!.log.slice(-3000)}\n--- B\n${b!.log.slice(-3000)}`,
      );
      await waitStatus([a, b], id, "normal");
      const [ca, cb] = [await channel(a, id), await channel(b, id)];
      const feeMres = REFRESH_FEE_RESONANCES * 1000n;
      assert.equal(ca?.local_balance_mres, String(90_000_000_000n - feeMres)); // the funder pays
      assert.equal(ca?.remote_balance_mres, "10000000000");
      assert.equal(cb?.local_balance_mres, "10000000000");
      assert.equal(ca?.capacity_resonances, String(100_000_000n - REFRESH_FEE_RESONANCES));
      assert.equal(ca?.commitment_number, cb?.commitment_number);
      assert.ok((ca?.funding_age_secs as number) < 1800, JSON.stringify(ca));

      // The channel keeps working on the new outpoint.
      const invoice = await ln(b, ["addinvoice", "--amount", "0.2", "--description", "after"]);
      const paid = await ln(a, ["pay", invoice.invoice as string]);
      assert.equal(paid.amount_mres, "20000000000");
      await waitUntil(
        async () =>
          (await channel(a!, id))?.local_balance_mres === String(70_000_000_000n - feeMres) &&
          (await channel(b!, id))?.local_balance_mres === "30000000000",
        20_000,
        async () => `balances ${JSON.stringify([await channel(a!, id), await channel(b!, id)])}`,
      );

      // B goes away for good. The next blocks move MTP past the old funding output's emission
      // return age (it is spent: nothing to sweep) and past the refresh point of the new one
      // (nobody to refresh with), then past the deadline: A force closes on the new outpoint.
      assert.equal((await b.stop("SIGKILL")).signal, "SIGKILL");
      b = undefined;
      blocks.skip(2030);
      await blocks.mine(1);
      blocks.skip(670);
      await blocks.mine(5);
      // The new output is past the refresh point, short of the deadline: with its peer away
      // the funder cannot refresh, and the channel stays open for now.
      await waitUntil(
        async () => ((await channel(a!, id))?.funding_age_secs as number) >= 1800,
        20_000,
        async () => `${JSON.stringify(await channel(a!, id))}\n--- A\n${lnLines(a!.log)}`,
      );
      const due = await channel(a, id);
      assert.ok((due?.funding_age_secs as number) < 2700, JSON.stringify(due));
      assert.equal(due?.status, "normal");
      const info = await a.rpc<Json>("getblockchaininfo");
      const oldCreated = await createdMtp(a, oldFunding.txid);
      assert.ok(
        (info.mediantime as number) - oldCreated >= REGTEST.emissionReturnAgeSecs,
        `old funding output is ${(info.mediantime as number) - oldCreated} s old`,
      );
      assert.equal(await a.rpc("gettxout", [oldFunding.txid, oldFunding.vout]), null);
      const kept = await a.rpc<Json>("gettxout", [refreshTxid, 0]);
      assert.equal(String(kept.value_resonances), String(100_000_000n - REFRESH_FEE_RESONANCES));
      const template = await a.rpc<Json>("getminingtemplate");
      const sweeps = (template.transactions as Json[])
        .map((t) => decodeTx(fromHex(t.data as string), REGTEST.maxTxBytes))
        .filter((tx) => tx.witnesses.length === 0);
      assert.equal(sweeps.length, 1, "the template sweeps other coins past the age");
      for (const input of sweeps[0]!.inputs) {
        const spent = Array.from(input.prevout.txid, (x) => x.toString(16).padStart(2, "0"))
          .join("");
        const at = `${spent}:${input.prevout.vout}`; // the funding tx's change may go
        assert.ok(
          at !== `${oldFunding.txid}:${oldFunding.vout}` && at !== `${refreshTxid}:0`,
          `the sweep takes the channel's output ${at}`,
        );
      }

      await blocks.mine(1);
      await waitStatus([a], id, "force-closing", 20_000);
      assert.match(a.log, /force closing channel [0-9a-f]{64}: its funding output is \d+ s old/);
      const closeTxid = (await channel(a, id))?.close_txid as string;
      const commitment = await a.rpc<Json>("getrawtransaction", [closeTxid, true]);
      assert.equal((commitment.vin as Json[])[0]!.txid, refreshTxid);
      await blocks.mine(1);
      assert.equal(await a.rpc("gettxout", [refreshTxid, 0]), null);
      const confirmed = await a.rpc<Json>("getrawtransaction", [closeTxid, true]);
      assert.equal(typeof confirmed.blockhash, "string");
    } finally {
      await a?.stop();
      await b?.stop();
    }
  },
);

/** The node log's Lightning lines. */
function lnLines(log: string): string {
  return log.split("\n").filter((l) => / ln( watcher)?: /.test(l)).join("\n");
}

/** Polls `get` until it gives a value. */
async function waitUntilValue<T>(get: () => Promise<T | undefined>, why: string): Promise<T> {
  let value: T | undefined;
  await waitUntil(async () => (value = await get()) !== undefined, 20_000, () => why);
  return value!;
}

/** `createdMtpSecs` of the outputs of confirmed `txid`: the MTP of its block's parent (§5.4). */
async function createdMtp(node: NodeProcess, txid: string): Promise<number> {
  const tx = await node.rpc<Json>("getrawtransaction", [txid, true]);
  const block = await node.rpc<Json>("getblockheader", [tx.blockhash, true]);
  const parent = await node.rpc<Json>("getblockheader", [block.previousblockhash, true]);
  return parent.mediantime as number;
}
