/**
 * A partition heals: two real `rnt node --regtest` processes mine apart (2 and 4 trained blocks),
 * then one connects to the other with RPC `addnode … onetry`; both end on the branch that leads
 * by the reorg margin (PROTOCOL §6.3: replacing the 2 blocks owes one capped block more than
 * their work). Also drives the network RPC
 * methods (getpeerinfo, getnetworkinfo, setban, listbanned, clearbanned, disconnectnode).
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { reorgMarginWork } from "../core/consensus/chain_work.ts";
import { heartbeatWallet } from "../core/consensus/testing/block_builder.ts";
import { encodeAddress } from "../core/primitives/address.ts";
import { gpuTest } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { type P2pNode, startP2pNode, stopAll, waitForTip, waitUntil } from "./p2p_helpers.ts";

const params = REGTEST;

async function tipWork(n: P2pNode, hash: string): Promise<bigint> {
  const b = await n.proc.rpc<{ chainwork: string }>("getblock", [hash]);
  return BigInt(`0x${b.chainwork}`);
}

gpuTest(
  "after a partition heals every node follows the branch that leads by the reorg margin",
  async () => {
    await using da = await tempDir();
    await using db = await tempDir();
    const nodes: (P2pNode | undefined)[] = [];
    try {
      const a = await startP2pNode(da.path);
      nodes.push(a);
      const b = await startP2pNode(db.path);
      nodes.push(b);
      const [onA, onB] = await Promise.all([
        a.proc.rpc<string[]>("generatetoaddress", [
          2,
          encodeAddress(params, heartbeatWallet(params, 1).address),
        ]),
        b.proc.rpc<string[]>("generatetoaddress", [
          4,
          encodeAddress(params, heartbeatWallet(params, 2).address),
        ]),
      ]);
      assert.equal(await a.proc.rpc("getconnectioncount"), 0);
      const workA = await tipWork(a, onA.at(-1)!);
      const workB = await tipWork(b, onB.at(-1)!);
      // B's 4 blocks must beat A's 2 by the margin a 2-block reorganisation owes (the first
      // blocks from genesis improve by far more than the cap, so each weighs 1 + cap).
      assert.ok(
        workB > workA + reorgMarginWork(params, 2),
        `B's ${workB} does not clear A's ${workA} + margin`,
      );
      const winner = onB.at(-1)!;

      assert.equal(await a.proc.rpc("addnode", [`127.0.0.1:${b.port}`, "onetry"]), null);
      await waitForTip([a, b], winner, 60_000);
      const loser = winner === onA.at(-1)! ? onB.at(-1)! : onA.at(-1)!;
      const [loserNode, winnerNode] = winner === onA.at(-1)! ? [b, a] : [a, b];
      // The node that mined the losing branch keeps it as a side branch; the winner never
      // downloads it (headers-first fetches only branches whose tip beats its own).
      assert.equal((await loserNode.proc.rpc<{ hash: string }>("getblock", [loser])).hash, loser);
      await assert.rejects(winnerNode.proc.rpc("getblock", [loser]), /not found/);

      // Network RPC shapes.
      const infoA = await a.proc.rpc<{ addr: string; inbound: boolean; nodeid: string }[]>(
        "getpeerinfo",
      );
      assert.equal(infoA.length, 1);
      assert.equal(infoA[0]!.addr, `127.0.0.1:${b.port}`);
      assert.equal(infoA[0]!.inbound, false);
      const net = await b.proc.rpc<{ connections: number; connections_in: number; nodeid: string }>(
        "getnetworkinfo",
      );
      assert.equal(net.connections, 1);
      assert.equal(net.connections_in, 1);
      assert.equal(net.nodeid, infoA[0]!.nodeid);
      await b.proc.rpc("setban", ["10.1.2.3", "add", 3600]);
      const bans = await b.proc.rpc<{ address: string; ban_duration: number }[]>("listbanned");
      assert.deepEqual(bans.map((x) => [x.address, x.ban_duration]), [["10.1.2.3", 3600]]);
      await assert.rejects(b.proc.rpc("setban", ["not-an-ip", "add"]), /Invalid IP/);
      await b.proc.rpc("clearbanned");
      assert.deepEqual(await b.proc.rpc("listbanned"), []);
      const peerId = (await b.proc.rpc<{ id: number }[]>("getpeerinfo"))[0]!.id;
      await b.proc.rpc("disconnectnode", ["", peerId]);
      // A may dial B again (it knows B's address now), but that is a new connection.
      await waitUntil(
        async () =>
          !(await b.proc.rpc<{ id: number }[]>("getpeerinfo")).some((p) => p.id === peerId),
        10_000,
        () => b.proc.log,
      );
      await assert.rejects(b.proc.rpc("disconnectnode", ["", peerId]), /not found/);
      assert.match(b.proc.log, /disconnected by request/);
    } finally {
      await stopAll(nodes);
    }
  },
);
