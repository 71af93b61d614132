/**
 * Lightning channels between two real `rnt node --regtest` processes over the real P2P transport:
 * A funds a channel to B from its wallet; both see it `normal` with the agreed balances; B is
 * killed with SIGKILL and restarted, A reconnects and both reestablish the channel; then a
 * cooperative close pays each side's balance on chain (B's wallet receives exactly its share). A
 * second channel is force closed by A: its commitment confirms and A's node sweeps its own output
 * to its wallet once `to_self_delay` (5 s on regtest) has passed; B sees its funding spent.
 * Driven through `rnt ln …` (CLI, `--json`) and RPC.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { gpuTest } from "../gpu/testing.ts";
import { freePort, runRnt, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";

type Json = Record<string, unknown>;
const PASS = "correct horse battery staple";

/** A node with a wallet loaded (`--wallet`), on a known P2P port. */
async function walletNode(dir: string, p2pPort = freePort()): Promise<NodeProcess> {
  await Deno.writeTextFile(`${dir}/wallet.pass`, PASS + "\n");
  try {
    await Deno.stat(`${dir}/wallet.dat`);
  } catch {
    const created = await runRnt([
      "wallet",
      "create",
      "--regtest",
      "--datadir",
      dir,
      "--password-file",
      `${dir}/wallet.pass`,
      "--insecure-fast-kdf",
    ]);
    assert.equal(created.code, 0, created.stderr);
  }
  return await NodeProcess.start(dir, undefined, [
    "--port",
    String(p2pPort),
    "--wallet",
    "--wallet-password-file",
    `${dir}/wallet.pass`,
  ]);
}

/** `rnt ln ARGS --json` against `node`; asserts exit 0 and parses stdout. */
async function ln<T = Json>(node: NodeProcess, args: string[]): Promise<T> {
  const r = await runRnt([
    "ln",
    ...args,
    "--regtest",
    "--datadir",
    node.datadir,
    "--rpcport",
    String(node.rpcPort),
    "--json",
  ]);
  if (r.code !== 0) throw new Error(`rnt ln ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

async function channel(node: NodeProcess, id: string): Promise<Json | undefined> {
  return (await node.rpc<Json[]>("ln_channels")).find((c) => c.channel_id === id);
}

async function waitStatus(nodes: NodeProcess[], id: string, status: string, ms = 60_000) {
  await waitUntil(
    async () =>
      (await Promise.all(nodes.map((n) => channel(n, id)))).every((c) =>
        c?.status === status && (status !== "normal" || c.connected === true)
      ),
    ms,
    async () =>
      `want ${status}: ${JSON.stringify(await Promise.all(nodes.map((n) => channel(n, id))))}\n` +
      nodes.map((n, i) => `--- node ${i} log tail:\n${n.log.slice(-3000)}`).join("\n"),
  );
}

gpuTest(
  "two regtest nodes open a channel over P2P, survive a SIGKILL of one, close it cooperatively, and force close another",
  async () => {
    await using dir = await tempDir("rnt-ln-channel-");
    const aDir = `${dir.path}/a`, bDir = `${dir.path}/b`;
    await Deno.mkdir(aDir);
    await Deno.mkdir(bDir);
    const bPort = freePort();
    let a: NodeProcess | undefined, b: NodeProcess | undefined;
    try {
      a = await walletNode(aDir);
      b = await walletNode(bDir, bPort);
      const bId = (await ln(b, ["info"])).node_id as string;
      assert.match(bId, /^[0-9a-f]{64}$/);
      const connected = await ln(a, ["connect", `${bId}@127.0.0.1:${bPort}`]);
      assert.equal(connected.node_id, bId);

      const mineA = async (n: number) =>
        await a!.rpc("generatetoaddress", [n, await a!.rpc<string>("getnewaddress")]);
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

      // Cooperative close: B's wallet gets exactly its 0.1 RNT (the funder pays the fee).
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
        async () => String(await b!.rpc("getbalance")) === "0.1",
        20_000,
        async () => `B's balance ${await b!.rpc("getbalance")}`,
      );

      // Channel 2: force closed by A; A's 0.5 RNT (less fees) comes back after to_self_delay.
      const second = await ln(a, ["open", bId, "0.5"]);
      const id2 = second.channel_id as string;
      await mineA(1);
      await waitStatus([a, b], id2, "normal");
      const forced = await ln(a, ["forceclose", id2]);
      assert.equal(forced.status, "force-closing");
      const commitmentTxid = forced.close_txid as string;
      assert.ok((await a.rpc<string[]>("getrawmempool")).includes(commitmentTxid));
      // Blocks until the sweep confirms (each block moves median time past forward).
      await waitUntil(
        async () => {
          await mineA(1);
          return (await channel(a!, id2))?.status === "closed";
        },
        90_000,
        async () =>
          `channel 2 on A: ${JSON.stringify(await channel(a!, id2))}\n${a!.log.slice(-3000)}`,
      );
      const sweep = (await channel(a, id2))?.sweep_txid as string;
      assert.match(sweep, /^[0-9a-f]{64}$/);
      const sweepTx = await a.rpc<Json>("getrawtransaction", [sweep, true]);
      const paid = (sweepTx.vout as Json[]).reduce((s, o) => s + Number(o.value), 0);
      assert.ok(paid > 0.49 && paid < 0.5, `sweep pays ${paid}`);
      await waitStatus([b], id2, "funding-spent");
    } finally {
      await a?.stop();
      await b?.stop();
    }
  },
);
