/**
 * The static channel backup end to end (PROTOCOL §9.10), between two real `rnt node --regtest`
 * processes: A opens a channel to B and pays B 0.2 RNT; A's node has written
 * `lightning/channels.backup` (mode 0600) and `rnt ln backup --out` copies it out; restoring it
 * while A still knows the channel skips it, B's backup does not open with A's wallet. Then A
 * loses its Lightning state (its `lightning/` folder deleted, its wallet kept), comes back and
 * runs `rnt ln restore --backup`: A's node watches the channel and asks B to close it, B sees
 * that A lost its state and publishes its latest commitment, and after the delay A's node claims
 * its to_other output of it to A's wallet: A's 0.8 RNT less the commitment fee (A funded) and the
 * claim's fee.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
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

/** The transactions of blocks after `fromHeight` on `node` that spend an output of `parent`. */
async function spendersOf(node: NodeProcess, parent: string, fromHeight: number): Promise<Json[]> {
  const found: Json[] = [];
  const tip = await node.rpc<number>("getblockcount");
  for (let h = fromHeight + 1; h <= tip; h++) {
    const block = await node.rpc<Json>("getblock", [await node.rpc("getblockhash", [h]), 2]);
    for (const tx of block.tx as Json[]) {
      if ((tx.vin as Json[]).some((i) => i.txid === parent)) found.push(tx);
    }
  }
  return found;
}

gpuTest(
  "a node that lost its Lightning state gets its channel balance back from its static backup and wallet alone",
  async () => {
    await using dir = await tempDir("rnt-ln-backup-");
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

      const id = (await ln(a, ["open", bId, "1"])).channel_id as string;
      await blocks.mine(1);
      await waitStatus([a, b], id, "normal");
      const invoice = await ln(b, ["addinvoice", "--amount", "0.2", "--description", "tea"]);
      await ln(a, ["pay", invoice.invoice as string]);
      await waitUntil(
        async () => (await channel(a!, id))?.local_balance_mres === "80000000000",
        20_000,
        async () => `balances ${JSON.stringify(await channel(a!, id))}`,
      );

      // The node keeps the backup; `ln backup` copies it out.
      const kept = await Deno.stat(`${aDir}/lightning/channels.backup`);
      assert.equal(kept.mode! & 0o777, 0o600);
      assert.match(a.log, /ln: static channel backup written \(1 channels\)/);
      const saved = `${dir.path}/a.backup`;
      const copied = await ln(a, ["backup", "--out", saved]);
      assert.equal(copied.channels, 1);
      assert.equal((await Deno.stat(saved)).mode! & 0o777, 0o600);
      // A still knows the channel: skipped. B's backup is another wallet's.
      const again = await ln(a, ["restore", "--backup", saved]);
      assert.deepEqual(again.restored, []);
      assert.equal((again.skipped as Json[])[0]?.channel_id, id);
      const bSaved = `${dir.path}/b.backup`;
      await ln(b, ["backup", "--out", bSaved]);
      const foreign = await lnRun(a, ["restore", "--backup", bSaved]);
      assert.equal(foreign.code, 1);
      assert.match(foreign.stderr, /made by another wallet or for another network/);

      // A loses its Lightning state (not its wallet) and restores from the copy.
      await a.stop();
      await Deno.remove(`${aDir}/lightning`, { recursive: true });
      a = await walletNode(aDir, aPort);
      blocks.node = a;
      assert.equal(await channel(a, id), undefined);
      const restored = await ln(a, ["restore", "--backup", saved]);
      assert.deepEqual(restored.skipped, []);
      const r = (restored.restored as Json[])[0]!;
      assert.equal(r.channel_id, id);
      assert.equal(r.asked_to_close, true, JSON.stringify(r));

      // B publishes its latest commitment; A's node claims its to_other output once it may.
      await waitUntil(
        async () => (await channel(b!, id))?.status === "force-closing",
        20_000,
        () => `B did not force close\n--- B\n${b!.log.slice(-3000)}`,
      );
      assert.match(b.log, /the peer lost its state; force closing/);
      const closeTxid = (await channel(b, id))?.close_txid as string;
      await waitUntil(
        async () => (await a!.rpc<string[]>("getrawmempool")).includes(closeTxid),
        20_000,
        () => "B's commitment did not reach A",
      );
      const closeHeight = await a.rpc<number>("getblockcount");
      let claims: Json[] = [];
      await waitUntil(
        async () => {
          await blocks.mine(1);
          claims = (await spendersOf(a!, closeTxid, closeHeight)).filter((tx) =>
            (tx.vout as Json[]).length === 1
          );
          const coins = await a!.rpc<Json[]>("listunspent");
          return claims.some((tx) => coins.some((c) => c.txid === tx.txid));
        },
        60_000,
        () => `no claim of A's to_other\n--- A\n${a!.log.slice(-3000)}`,
      );
      const commitment = await a.rpc<Json>("getrawtransaction", [closeTxid, true]);
      const outs = commitment.vout as Json[];
      const resonances = (o: Json) => BigInt(o.value_resonances as string | number);
      // B's output is its 0.2 RNT exactly (the funder pays the commitment fee); A's is the rest.
      assert.ok(outs.some((o) => resonances(o) === 20_000_000n), JSON.stringify(outs));
      const claim = claims.find((tx) => (tx.vin as Json[]).some((i) => i.txid === closeTxid))!;
      const spent = outs[
        ((claim.vin as Json[]).find((i) => i.txid === closeTxid)!).vout as number
      ]!;
      const commitmentFee = 100_000_000n - outs.reduce((s, o) => s + resonances(o), 0n);
      assert.equal(resonances(spent), 80_000_000n - commitmentFee);
      const coin = (await a.rpc<Json[]>("listunspent")).find((c) => c.txid === claim.txid)!;
      const claimFee = resonances(spent) - BigInt(coin.amount_resonances as number);
      assert.ok(claimFee > 0n && claimFee < 100_000n, `claim fee ${claimFee}`);
    } finally {
      await a?.stop();
      await b?.stop();
    }
  },
);
