/**
 * Lightning channels between two real `rnt node --regtest` processes over the real P2P transport:
 * A funds a channel to B from its wallet; both see it `normal` with the agreed balances; B is
 * killed with SIGKILL and restarted, A reconnects and both reestablish the channel; A pays an
 * invoice of B's node through the channel (one HTLC; one B cannot settle fails and moves
 * nothing); then a cooperative close pays each side's balance on chain (B's wallet receives
 * exactly its share). Two more channels are funded in one block and force closed, one by each
 * side (A is SIGKILLed right after publishing and restarted): each commitment confirms and its
 * owner's node sweeps its own output to its wallet once `to_self_delay` (5 s on regtest) has
 * passed; the other side sees its funding spent.
 * Driven through `rnt ln …` (CLI, `--json`) and RPC.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { gpuTest } from "../gpu/testing.ts";
import { freePort, runRnt, tempDir } from "./helpers.ts";
import type { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";
import { channel, type Json, ln, LnBlocks, waitStatus, walletNode } from "./ln_node_helpers.ts";

gpuTest(
  "two regtest nodes open a channel over P2P, survive SIGKILLs, pay through it, close it cooperatively, and each force close another",
  async () => {
    await using dir = await tempDir("rnt-ln-channel-");
    const aDir = `${dir.path}/a`, bDir = `${dir.path}/b`;
    await Deno.mkdir(aDir);
    await Deno.mkdir(bDir);
    const bPort = freePort();
    let a: NodeProcess | undefined, b: NodeProcess | undefined;
    try {
      const aPort = freePort();
      a = await walletNode(aDir, aPort);
      b = await walletNode(bDir, bPort);
      const bInfo = await ln(b, ["info"]);
      const bId = bInfo.node_id as string;
      assert.match(bId, /^[0-9a-f]{64}$/);
      assert.equal(bInfo.listen_port, bPort);
      assert.deepEqual(bInfo.channels, {});
      const connected = await ln(a, ["connect", `${bId}@127.0.0.1:${bPort}`]);
      assert.equal(connected.node_id, bId);

      // Blocks on A without training (fixture checkpoints; A checks and evaluates each).
      const blocks = await LnBlocks.start(a);
      const mineA = async (n: number) => await blocks.mine(n);
      await mineA(REGTEST.coinbaseMaturity + 1);

      // Refusals with clear errors: unknown channel, amount below the minimum.
      const bad = await runRnt([
        "ln",
        "close",
        "00".repeat(32),
        "--regtest",
        "--datadir",
        aDir,
        "--rpcport",
        String(a.rpcPort),
      ]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /no channel 0{64}/);
      await assert.rejects(a.rpc("ln_open", [bId, "0.0001"]), /at least 100000 resonances/);
      const tooMuch = await runRnt([
        "ln",
        "open",
        bId,
        "100000",
        "--regtest",
        "--datadir",
        aDir,
        "--rpcport",
        String(a.rpcPort),
      ]);
      assert.equal(tooMuch.code, 1);
      assert.match(tooMuch.stderr, /^error: .*insufficient funds/im);

      // Channel 1: 1 RNT, 0.1 RNT pushed to B.
      const opened = await ln(a, ["open", bId, "1", "--push", "0.1"]);
      const id = opened.channel_id as string;
      assert.deepEqual(await a.rpc("getrawmempool"), [opened.funding_txid]);
      assert.equal((await channel(a, id))?.status, "awaiting-funding");
      await mineA(1);
      await waitStatus([a, b], id, "normal");
      const [ca, cb] = [await channel(a, id), await channel(b, id)];
      assert.equal(ca?.local_balance_mres, "90000000000");
      assert.equal(ca?.remote_balance_mres, "10000000000");
      assert.equal(cb?.local_balance_mres, "10000000000");
      assert.equal(cb?.remote_balance_mres, "90000000000");
      assert.equal(ca?.we_funded, true);
      assert.equal(cb?.we_funded, false);

      // B dies without warning and comes back: A reconnects, both reestablish.
      assert.equal((await b.stop("SIGKILL")).signal, "SIGKILL");
      b = await walletNode(bDir, bPort);
      await waitStatus([a, b], id, "normal");
      assert.match(b.log, /ln: loaded 1 channels/);
      assert.equal((await channel(b, id))?.local_balance_mres, "10000000000");

      // A payment B's node cannot settle (an offline invoice: B never saw its preimage) fails
      // and moves nothing; one from B's node (ln addinvoice) moves 0.2 RNT to B.
      const offline = await runRnt([
        "ln",
        "invoice",
        "--regtest",
        "--datadir",
        bDir,
        "--amount",
        "0.01",
        "--description",
        "unknown preimage",
        "--json",
      ]);
      assert.equal(offline.code, 0, offline.stderr);
      const failed = await runRnt([
        "ln",
        "pay",
        JSON.parse(offline.stdout).invoice,
        "--regtest",
        "--datadir",
        aDir,
        "--rpcport",
        String(a.rpcPort),
      ]);
      assert.equal(failed.code, 1);
      assert.match(
        failed.stderr,
        /the payee failed the payment: incorrect_or_unknown_payment_details/,
      );
      const invoice = await ln(b, ["addinvoice", "--amount", "0.2", "--description", "coffee"]);
      const paid = await ln(a, ["pay", invoice.invoice as string]);
      assert.equal(paid.payment_hash, invoice.payment_hash);
      assert.equal(paid.amount_mres, "20000000000");
      await waitUntil(
        async () =>
          (await channel(a!, id))?.local_balance_mres === "70000000000" &&
          (await channel(b!, id))?.local_balance_mres === "30000000000",
        20_000,
        async () => `balances ${JSON.stringify([await channel(a!, id), await channel(b!, id)])}`,
      );

      // Cooperative close right after the payment (ln close waits for its last commitments):
      // B's wallet gets exactly its 0.3 RNT (the funder pays the fee).
      const closing = await ln(a, ["close", id]);
      assert.equal(closing.status, "shutdown");
      await waitStatus([a, b], id, "closing");
      const closeTxid = (await channel(a, id))?.close_txid as string;
      assert.equal((await channel(b, id))?.close_txid, closeTxid);
      await waitUntil(
        async () => (await a!.rpc<string[]>("getrawmempool")).includes(closeTxid),
        20_000,
        () => "close tx not in A's mempool",
      );
      await mineA(1);
      await waitStatus([a, b], id, "closed");
      await waitUntil(
        async () => String(await b!.rpc("getbalance")) === "0.3",
        20_000,
        async () => `B's balance ${await b!.rpc("getbalance")}`,
      );

      // Channels 2 and 3, funded in one block: A force closes channel 2 (its 0.5 RNT, less
      // fees, comes back after to_self_delay); the fundee B force closes channel 3 (its pushed
      // 0.1 RNT comes back to B's wallet the same way).
      const id2 = (await ln(a, ["open", bId, "0.5"])).channel_id as string;
      const id3 = (await ln(a, ["open", bId, "0.3", "--push", "0.1"])).channel_id as string;
      await mineA(1);
      await waitStatus([a, b], id2, "normal");
      await waitStatus([a, b], id3, "normal");
      const balanceBefore = Number(await b.rpc("getbalance"));
      const forced = await ln(a, ["forceclose", id2]);
      assert.equal(forced.status, "force-closing");
      assert.ok((await a.rpc<string[]>("getrawmempool")).includes(forced.close_txid as string));
      assert.equal((await ln(b, ["forceclose", id3])).status, "force-closing");
      // A dies right after publishing (its mempool.dat unsaved) and comes back: the stored
      // force close is still there, the commitment goes out again and the sweep still happens.
      assert.equal((await a.stop("SIGKILL")).signal, "SIGKILL");
      await Deno.remove(`${aDir}/mempool.dat`).catch(() => {});
      a = await walletNode(aDir, aPort);
      blocks.node = a;
      assert.equal((await channel(a, id2))?.status, "force-closing");
      // Blocks until both sweeps confirm (each block moves median time past forward).
      let lastBlockMs = 0;
      await waitUntil(
        async () => {
          // At most a block every 2 s: the sweeps wait for wall-clock checks too, and the
          // fixture holds 30 blocks.
          if (Date.now() - lastBlockMs >= 2_000) {
            await mineA(1);
            lastBlockMs = Date.now();
          }
          return (await channel(a!, id2))?.status === "closed" &&
            (await channel(b!, id3))?.status === "closed";
        },
        120_000,
        async () =>
          `channel 2 on A: ${JSON.stringify(await channel(a!, id2))}\n` +
          `channel 3 on B: ${JSON.stringify(await channel(b!, id3))}\n` +
          `--- A\n${a!.log.slice(-2000)}\n--- B\n${b!.log.slice(-2000)}`,
      );
      const sweep = (await channel(a, id2))?.sweep_txid as string;
      assert.match(sweep, /^[0-9a-f]{64}$/);
      const sweepTx = await a.rpc<Json>("getrawtransaction", [sweep, true]);
      const swept = (sweepTx.vout as Json[]).reduce((s, o) => s + Number(o.value), 0);
      assert.ok(swept > 0.49 && swept < 0.5, `sweep pays ${swept}`);
      await waitStatus([b], id2, "funding-spent");
      await waitStatus([a], id3, "funding-spent");
      await waitUntil(
        async () => {
          const gained = Number(await b!.rpc("getbalance")) - balanceBefore;
          return gained > 0.099 && gained < 0.1;
        },
        20_000,
        async () => `B's balance ${await b!.rpc("getbalance")}, was ${balanceBefore}`,
      );

      assert.deepEqual((await ln(a, ["info"])).channels, { closed: 2, "funding-spent": 1 });
      assert.deepEqual((await ln(b, ["info"])).channels, { closed: 2, "funding-spent": 1 });
      const listed = await runRnt([
        "ln",
        "channels",
        "--regtest",
        "--datadir",
        aDir,
        "--rpcport",
        String(a.rpcPort),
      ]);
      assert.equal(listed.code, 0);
      assert.match(listed.stdout, new RegExp(`${id2}  closed`));
      assert.match(listed.stdout, new RegExp(`sweep tx   ${sweep}`));
    } finally {
      await a?.stop();
      await b?.stop();
    }
  },
);
