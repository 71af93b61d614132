/**
 * Rejecting costs no more than faking (issue 14, item 5), with real `rnt node --regtest`
 * processes on loopback: a peer sending blocks whose sample-loss claims do not re-evaluate costs
 * the node at most one Proof-of-Training evaluation per connection — it is disconnected and
 * discouraged on its first invalid proof, its other pending blocks are never evaluated, and it is
 * refused when it comes back — and it cannot dodge the discouragement by leaving before the
 * verdict; meanwhile an honest peer's blocks connect. Evaluations are counted from the node's
 * log: `verified height=… hash=…` for a proof that held, `rejected block <hash> …:
 * sample-loss-mismatch` for one that did not (the exact evaluator ran on the child at least).
 * Cost ratios under a flood of many attackers are measured by bench/pot_flood_bench.ts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { encodeBlock } from "../core/primitives/block.ts";
import { createNodeIdentity } from "../net/transport/mod.ts";
import { readChainFixture } from "./chain_fixture.ts";
import { tempDir } from "./helpers.ts";
import { connectArgs, type P2pNode, startP2pNode, stopAll, waitUntil } from "./p2p_helpers.ts";
import {
  type AttackerPeer,
  BlockForge,
  type BlockWithCheckpoint,
  connectAttacker,
  evaluatedBlocks,
  rejectedBlocks,
  verifiedBlocks,
} from "./pot_flood_peers.ts";

const params = REGTEST;

interface Banned {
  address: string;
  reason: string;
}

async function submit(node: P2pNode, b: BlockWithCheckpoint): Promise<void> {
  const result = await node.proc.rpc("submitblock", [
    toHex(encodeBlock(b.block)),
    toHex(b.checkpoint),
  ]);
  assert.equal(result, null, `submitblock ${b.hash}: ${result}`);
}

async function waitClosed(a: AttackerPeer, what: string): Promise<string> {
  const reason = await Promise.race([
    a.peer.closed,
    new Promise<string>((r) => setTimeout(() => r("still open"), 20_000)),
  ]);
  assert.notEqual(reason, "still open", `the node kept ${what}`);
  return reason;
}

async function banOf(node: P2pNode, nodeId: string): Promise<Banned | undefined> {
  const bans = await node.proc.rpc<Banned[]>("listbanned");
  return bans.find((b) => b.address === `id:${nodeId}`);
}

/** Waits `ms` (lets the node finish what it queued before counting). */
async function quietFor(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

Deno.test("a peer faking Proof-of-Training claims costs one evaluation, is discouraged and refused, while honest blocks connect", async () => {
  const fixture = await readChainFixture();
  const forge = await BlockForge.open(params);
  // Forged children of genesis, all claiming the capped work (as much as an honest block can):
  // trained checkpoints whose exact claim is off by one µnat, and random ones claiming 50 %.
  const forged: BlockWithCheckpoint[] = [];
  for (let i = 0; i < 4; i++) {
    forged.push(await forge.offByOne(fixture[0]!.checkpoint, i));
    forged.push(forge.hugeClaim(i));
  }
  const honest1 = await forge.honest(fixture[0]!.checkpoint);
  const honest2 = await forge.honest(fixture[1]!.checkpoint);
  const escapeBlock = forge.hugeClaim(20); // on the honest tip: it beats it by its claim

  await using dv = await tempDir();
  await using dh = await tempDir();
  const nodes: (P2pNode | undefined)[] = [];
  try {
    const victim = await startP2pNode(dv.path);
    nodes.push(victim);
    const honest = await startP2pNode(dh.path, connectArgs(victim));
    nodes.push(honest);
    await waitUntil(
      async () => (await victim.proc.rpc<number>("getconnectioncount")) === 1,
      20_000,
      () => victim.proc.log,
    );

    // One attacker connection pushes eight forged blocks; once the victim is fetching their
    // checkpoints, an honest block (as much claimed work: a tie) comes through the honest peer.
    const identity = createNodeIdentity();
    const attacker = await connectAttacker(params, victim.port, { identity });
    for (const b of forged) attacker.push(b);
    await waitUntil(
      () => Promise.resolve(attacker.chunksServed > 0),
      10_000,
      () => victim.proc.log,
    );
    await submit(honest, honest1);
    await waitClosed(attacker, "a peer sending invalid proofs");
    await waitUntil(
      async () => (await banOf(victim, attacker.nodeId)) !== undefined,
      10_000,
      () => `attacker not discouraged:\n${victim.proc.log}`,
    );
    assert.equal((await banOf(victim, attacker.nodeId))?.reason, "invalid-block");
    assert.match(
      victim.proc.log,
      new RegExp(`discouraging id:${attacker.nodeId} for 24 h: invalid-block \\(sample-loss`),
    );

    // The honest block connects over P2P, then a second one.
    await waitUntil(
      async () => (await victim.proc.rpc<string>("getbestblockhash")) === honest1.hash,
      30_000,
      () => victim.proc.log,
    );
    await submit(honest, honest2);
    await waitUntil(
      async () => (await victim.proc.rpc<string>("getbestblockhash")) === honest2.hash,
      30_000,
      () => victim.proc.log,
    );

    // Coming back under the same node id is refused.
    let refused = false;
    try {
      const again = await connectAttacker(params, victim.port, { identity });
      refused = await Promise.race([
        again.peer.closed.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 5_000)),
      ]);
    } catch {
      refused = true;
    }
    assert.ok(refused, "a discouraged node id was let back in");

    // Leaving before the verdict does not dodge the discouragement.
    const leaver = await connectAttacker(params, victim.port, { leaveAfterCheckpoint: true });
    leaver.push(escapeBlock);
    await waitClosed(leaver, "a peer that should have left");
    await waitUntil(
      async () => (await banOf(victim, leaver.nodeId)) !== undefined,
      20_000,
      () => `a peer that left before its block was judged was not discouraged:\n${victim.proc.log}`,
    );
    assert.equal(rejectedBlocks(victim.proc.log).get(escapeBlock.hash), "sample-loss-mismatch");
    await quietFor(1_500);
    const evaluated = evaluatedBlocks(victim.proc.log);

    // Evaluations: the honest blocks once each; of the attacker's eight, one.
    const forgedEvaluated = forged.filter((b) => evaluated.includes(b.hash));
    assert.equal(
      forgedEvaluated.length,
      1,
      `forged blocks evaluated from one connection: ${forgedEvaluated.length}\n${victim.proc.log}`,
    );
    const verified = verifiedBlocks(victim.proc.log);
    assert.deepEqual(verified, [honest1.hash, honest2.hash]);
    assert.equal(await victim.proc.rpc("getblockcount"), 2);
    // Only attackers were discouraged; the honest peer is still connected.
    const bans = await victim.proc.rpc<Banned[]>("listbanned");
    for (const b of bans) {
      assert.ok([`id:${attacker.nodeId}`, `id:${leaver.nodeId}`].includes(b.address), b.address);
    }
    const peers = await victim.proc.rpc<{ subver: string }[]>("getpeerinfo");
    assert.equal(peers.length, 1, JSON.stringify(peers));
  } finally {
    await stopAll(nodes);
  }
});
