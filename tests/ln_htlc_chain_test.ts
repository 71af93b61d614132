/**
 * HTLCs resolved on chain by two real `rnt node --regtest` processes (PROTOCOL §9.10 "HTLC
 * outputs on chain"). B issues hold invoices (`ln addinvoice --hold`: its node keeps a paying
 * HTLC in flight), A pays them, then A force closes with the HTLC in its commitment:
 *
 * 1. success path: B's node claims the HTLC from A's commitment with the preimage at once; A's
 *    node reads the preimage from B's witness and its pending `ln pay` returns it;
 * 2. timeout path: B is stopped; once median time past reaches the HTLC's expiry (fixture blocks
 *    stamped hours ahead under `setmocktime`) A's node takes the HTLC back from its own commitment.
 *
 * Blocks are the fixture's trained checkpoints (LnBlocks), not trained here.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { fromHex, keccak256d, toHex } from "../core/crypto/keccak.ts";
import { gpuTest } from "../gpu/testing.ts";
import { freePort, tempDir } from "./helpers.ts";
import type { NodeProcess } from "./node_process.ts";
import { waitUntil } from "./p2p_helpers.ts";
import { channel, type Json, ln, LnBlocks, waitStatus, walletNode } from "./ln_node_helpers.ts";

/** Resonances of an RPC amount in RNT (8 decimals). */
const res = (rnt: unknown) => BigInt(Math.round(Number(rnt) * 1e8));

/** The txid of the claim `node`'s watcher logged on channel `id` for `what` ("HTLC 0 success"). */
function claimTxid(node: NodeProcess, id: string, what: string): string | undefined {
  const line = node.log.split("\n").find((l) =>
    l.includes(`channel ${id.slice(0, 16)}: sweep`) && l.includes(`(${what}`)
  );
  return line?.match(/sweep ([0-9a-f]{64}) submitted/)?.[1];
}

/** The value, resonances, of output `vout` of transaction `txid`. */
async function output(node: NodeProcess, txid: string, vout: number): Promise<bigint> {
  const tx = await node.rpc<Json>("getrawtransaction", [txid, true]);
  return res((tx.vout as Json[])[vout]!.value);
}

gpuTest(
  "an HTLC in flight at a force close is claimed on chain: by the payee with its preimage (the payer learns it), by the payer after its expiry",
  async () => {
    await using dir = await tempDir("rnt-ln-htlc-");
    const aDir = `${dir.path}/a`, bDir = `${dir.path}/b`;
    await Deno.mkdir(aDir);
    await Deno.mkdir(bDir);
    let a: NodeProcess | undefined, b: NodeProcess | undefined;
    try {
      const bPort = freePort();
      [a, b] = await Promise.all([walletNode(aDir), walletNode(bDir, bPort)]);
      const bId = (await ln(b, ["info"])).node_id as string;
      await ln(a, ["connect", `${bId}@127.0.0.1:${bPort}`]);
      const blocks = await LnBlocks.start(a);
      await blocks.mine(REGTEST.coinbaseMaturity + 1);

      // Channel 1 carries a 0.2 RNT HTLC that B holds (it knows the preimage).
      const id1 = (await ln(a, ["open", bId, "1"])).channel_id as string;
      await blocks.mine(1);
      await waitStatus([a, b], id1, "normal");
      const held = await ln(b, ["addinvoice", "--amount", "0.2", "--hold"]);
      const paying = a.rpc<Json>("ln_pay", [held.invoice]);
      paying.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
      await waitUntil(
        () => Promise.resolve(b!.log.includes("holding HTLC 0")),
        20_000,
        () => `B never held the HTLC:\n${b!.log.slice(-2000)}`,
      );
      await waitUntil(
        async () => (await channel(a!, id1))?.local_balance_mres === "80000000000",
        20_000,
        async () => `A's channel: ${JSON.stringify(await channel(a!, id1))}`,
      );

      // Channel 2 (funded now, confirmed with the commitment below) will time out.
      const id2 = (await ln(a, ["open", bId, "0.5"])).channel_id as string;

      // 1. A force closes channel 1; B takes the HTLC from A's commitment at once.
      const commitment1 = (await ln(a, ["forceclose", id1])).close_txid as string;
      await blocks.mine(1);
      await waitUntil(
        async () => {
          const txid = claimTxid(b!, id1, "HTLC 0 success");
          return txid !== undefined && (await a!.rpc<string[]>("getrawmempool")).includes(txid);
        },
        30_000,
        () => `no success claim from B in A's mempool:\n${b!.log.slice(-3000)}`,
      );
      const success = claimTxid(b, id1, "HTLC 0 success")!;
      await blocks.mine(1);
      const successTx = await a.rpc<Json>("getrawtransaction", [success, true]);
      assert.equal((successTx.vin as Json[]).length, 1);
      assert.equal((successTx.vin as Json[])[0]!.txid, commitment1);
      const htlcVout = (successTx.vin as Json[])[0]!.vout as number;
      assert.equal(await output(a, commitment1, htlcVout), 20_000_000n); // 0.2 RNT
      // A's node reads the preimage from B's witness: its `ln pay` returns it.
      const paid = await paying;
      assert.equal(paid.payment_hash, held.payment_hash);
      assert.equal(toHex(keccak256d(fromHex(paid.preimage as string))), held.payment_hash);
      assert.match(a.log, /HTLC 0 \(20000000000 mres\) taken by the peer with its preimage/);
      // B's wallet holds exactly the HTLC less the claim's fee.
      const claimed = await output(b, success, 0);
      assert.ok(claimed > 20_000_000n - 10_000n && claimed < 20_000_000n, `claimed ${claimed}`);
      await waitUntil(
        async () => res(await b!.rpc("getbalance")) === claimed,
        20_000,
        async () => `B's balance ${await b!.rpc("getbalance")}, claimed ${claimed}`,
      );

      // 2. Channel 2 carries a 0.1 RNT HTLC B holds; B goes away; A force closes.
      await waitStatus([a, b], id2, "normal");
      const held2 = await ln(b, ["addinvoice", "--amount", "0.1", "--hold"]);
      const paying2 = a.rpc<Json>("ln_pay", [held2.invoice]);
      paying2.catch(() => {});
      await waitUntil(
        async () => (await channel(a!, id2))?.local_balance_mres === "40000000000",
        20_000,
        async () => `A's channel 2: ${JSON.stringify(await channel(a!, id2))}`,
      );
      await b.stop();
      b = undefined;
      const commitment2 = (await ln(a, ["forceclose", id2])).close_txid as string;
      // The HTLC expires min_final_delta (3 h) and a margin after it was sent, at a median time
      // past behind the wall clock: blocks stamped past that (the first confirms the commitment)
      // move median time past over it with the sixth, not before.
      const later = Math.floor(Date.now() / 1000) + 3 * 3600 + 600 + 300;
      await a.rpc("setmocktime", [later + 600]);
      blocks.jumpTo(later);
      let jumped = 0;
      await waitUntil(
        async () => {
          await blocks.mine(1);
          jumped++;
          const claimed = claimTxid(a!, id2, "HTLC 0 timeout") !== undefined;
          assert.ok(!claimed || jumped >= 6, `timeout claimed ${jumped} blocks after the jump`);
          return claimed;
        },
        60_000,
        () => `no timeout claim:\n${a!.log.slice(-3000)}`,
      );
      const timeout = claimTxid(a, id2, "HTLC 0 timeout")!;
      await blocks.mine(1);
      const timeoutTx = await a.rpc<Json>("getrawtransaction", [timeout, true]);
      assert.ok((timeoutTx.confirmations as number) >= 1);
      const timeoutIn = (timeoutTx.vin as Json[]).find((i) => i.txid === commitment2)!;
      assert.equal(await output(a, commitment2, timeoutIn.vout as number), 10_000_000n);
      const back = await output(a, timeout, 0);
      assert.ok(back > 10_000_000n - 10_000n && back < 10_000_000n, `timeout pays ${back}`);
      const wallet = await a.rpc<Json[]>("listunspent");
      assert.ok(wallet.some((u) => u.txid === timeout), "the timeout claim pays A's wallet");
      assert.match(a.log, /HTLC 0 \(10000000000 mres\) timed out on chain/);
      // A's own balances of both channels were swept by its service too.
      await waitUntil(
        async () => {
          if (
            (await channel(a!, id1))?.status === "closed" &&
            (await channel(a!, id2))?.status === "closed"
          ) return true;
          await blocks.mine(1);
          return false;
        },
        30_000,
        async () =>
          `A's channels ${JSON.stringify([await channel(a!, id1), await channel(a!, id2)])}`,
      );
    } finally {
      await a?.stop();
      await b?.stop();
    }
  },
);
