/**
 * A channel's life on a real chainstate (LevelDB in a temp dir, real checkpoints, the scripted
 * evaluator): funding → force close → both sweeps, connected block by block.
 */
import assert from "node:assert/strict";
import { REGTEST } from "../consensus/params.ts";
import { inputAgeSecs } from "../consensus/check_tx_inputs.ts";
import { outpointKey } from "../consensus/chain_entry.ts";
import { heartbeatWallet, outputKey } from "../consensus/testing/block_builder.ts";
import { Chainstate } from "../chain/chainstate.ts";
import {
  mineBlock,
  type MinedBlock,
  referenceSnapshot,
  ScriptedEvaluator,
  TestChain,
  testClock,
  utxoSnapshot,
} from "../chain/_test_util.ts";
import type { Tx } from "../primitives/tx.ts";
import { txid } from "../primitives/tx_hash.ts";
import { commitmentParams, scalarsFor, spec, testParty } from "./_channel_fixture.ts";
import { buildClaimTx, toOtherClaim, toOwnerClaim } from "./commitment_claims.ts";
import {
  buildCommitmentTx,
  fundingOutput,
  signFundingSpend,
  withFundingWitness,
} from "./commitment_tx.ts";

const params = REGTEST;
const magic = params.magic;
const alice = testParty("alice", 600, 500n);
const bob = testParty("bob", 300, 300n);

Deno.test("funding, force close and both sweeps connect in a LevelDB chainstate", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-channel-" });
  const ev = new ScriptedEvaluator();
  const ref = new TestChain(params);
  const blocks: MinedBlock[] = [];
  let seed = 500;
  const mine = async (txs: Tx[] = []) => blocks.push(await mineBlock(ref, ev, seed++, { txs }));
  try {
    for (let i = 0; i < 12; i++) await mine();
    const aliceWallet = heartbeatWallet(params, 0);
    const bobWallet = heartbeatWallet(params, 1);
    const cbKey = outputKey(params, blocks[0]!.block.txs[0]!, 0);
    const cbValue = ref.view.get(cbKey)!.value;
    const f = fundingOutput(alice.params.fundingKey, bob.params.fundingKey, 500_000n);
    const fund = ref.spend(aliceWallet, [cbKey], [
      f.output,
      { value: cbValue - 500_000n - 1_000n, address: aliceWallet.address },
    ]);
    await mine([fund]);

    const funding = { outpoint: { txid: txid(magic, fund), vout: 0 }, value: 500_000n };
    const p = commitmentParams(alice, bob, "local", 0n, funding);
    const c = buildCommitmentTx(magic, spec("local", 0n, 300_000_000n, 200_000_000n, 1_000n), p);
    const sig = (seed: Uint8Array, key: Uint8Array) =>
      signFundingSpend(magic, c.tx, c.fundingOutput, seed, key);
    await mine([withFundingWitness(c.tx, c.fundingPolicy, [
      sig(alice.funding.secretKey, alice.funding.publicKey),
      sig(bob.funding.secretKey, bob.funding.publicKey),
    ])]);
    const bobSweep = buildClaimTx(
      magic,
      [toOtherClaim(c, scalarsFor(bob, p.ownerPerCommitmentPoint).payment)],
      bobWallet.address,
      100n,
    );
    await mine([bobSweep]);
    const toOwner = outpointKey({
      txid: c.txid,
      vout: c.outputs.find((o) => o.role === "to-owner")!.vout,
    });
    while (inputAgeSecs(ref.tip, ref.view.get(toOwner)!) < bob.params.toSelfDelaySecs) await mine();
    const aliceSweep = buildClaimTx(
      magic,
      [toOwnerClaim(c, scalarsFor(alice, p.ownerPerCommitmentPoint).delayed)],
      aliceWallet.address,
      100n,
    );
    await mine([aliceSweep]);

    const cs = await Chainstate.open(dir, params, ev, new Uint8Array(64), testClock);
    try {
      for (const b of blocks) {
        assert.equal((await cs.acceptBlock(b.block, b.checkpoint)).status, "connected");
      }
      assert.deepEqual(cs.tip(), ref.tip);
      assert.deepEqual(await utxoSnapshot(cs), referenceSnapshot(ref));
      // The funding and both commitment outputs are spent; the sweeps' outputs exist.
      for (const op of [funding.outpoint, { txid: c.txid, vout: 0 }, { txid: c.txid, vout: 1 }]) {
        assert.equal(await cs.getUtxo(op), undefined);
      }
      const bobOut = await cs.getUtxo({ txid: txid(magic, bobSweep), vout: 0 });
      assert.equal(bobOut?.value, 200_000n - 100n);
      const aliceOut = await cs.getUtxo({ txid: txid(magic, aliceSweep), vout: 0 });
      assert.equal(aliceOut?.value, 300_000n - 1_000n - 100n);
    } finally {
      await cs.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
