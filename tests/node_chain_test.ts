/**
 * `rnt node` on regtest end to end: `generatetoaddress` trains the model for real for 15 blocks
 * (past the second layer, which comes at height 8; more blocks would only repeat the growth step
 * on a bigger model, at the highest cost), a coinbase spend is refused before maturity and mined
 * after it (fees to the miner), a heartbeat recovery key spends an old output but not a fresh
 * one (setmocktime keeps MTP still), guardians of a social-recovery output can only pay a
 * pending-recovery output, blocks that claim a loss they do not have or no improvement are
 * rejected with their reasons, and the chain, tip and UTXOs survive a restart.
 */
import assert from "node:assert/strict";
import { checkpointRoot } from "../core/checkpoint/chunks.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import type { ChainEntry } from "../core/consensus/chain_entry.ts";
import { blockReward } from "../core/consensus/emission.ts";
import { blockWork } from "../core/consensus/chain_work.ts";
import { headerProgressPpm, nextModelConfig } from "../core/consensus/growth.ts";
import { checkSampleImprovement, headerSums } from "../core/consensus/paired_improvement.ts";
import { REGTEST } from "../core/consensus/params.ts";
import {
  buildChildBlock,
  heartbeatWallet,
  signTx,
  testKey,
  type TestWallet,
} from "../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { RpcError } from "../core/errors.ts";
import { encodeAddress, RecoveryKind } from "../core/primitives/address.ts";
import { pk } from "../core/primitives/policy.ts";
import { policyHash } from "../core/primitives/policy_codec.ts";
import { pendingRecoveryPolicy, socialPolicy } from "../core/primitives/recovery_policies.ts";
import { decodeHeader, encodeBlock } from "../core/primitives/block.ts";
import { encodeTx, type Tx } from "../core/primitives/tx.ts";
import { txid } from "../core/primitives/tx_hash.ts";
import { growCheckpoint } from "../gpu/model/grow.ts";
import { gpuTest } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

const params = REGTEST;
const owner = heartbeatWallet(params, 0);
const dest = heartbeatWallet(params, 1);
/** The same outputs as `owner`/`dest`, spent through the recovery branch. */
const ownerRecovery: TestWallet = { ...owner, keys: [testKey(100)] };
const destRecovery: TestWallet = { ...dest, keys: [testKey(101)] };
/** A social-recovery output (owner testKey(20), guardians 21 and 22, 2 of 2), spent by guardians. */
const socialPolicyTree = socialPolicy(testKey(20).publicKey, 2, [
  testKey(21).publicKey,
  testKey(22).publicKey,
]);
const guardians: TestWallet = {
  keys: [testKey(21), testKey(22)],
  policy: socialPolicyTree,
  address: { kind: RecoveryKind.social, hash: policyHash(socialPolicyTree) },
};
/** Where a guardian spend must go: the owner can cancel for 10 s, then testKey(23) owns it. */
const pendingAddress = {
  kind: RecoveryKind.pendingRecovery,
  hash: policyHash(
    pendingRecoveryPolicy(
      pk(testKey(20).publicKey),
      params.socialRecoveryMinDelaySecs,
      pk(testKey(23).publicKey),
    ),
  ),
};
const FEE = 10_000n;

type Json = Record<string, unknown>;

async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RpcError) return e;
    throw e;
  }
  throw new Error("expected an RPC error");
}

function resonances(rnt: unknown): bigint {
  return BigInt(Math.round((rnt as number) * 1e8));
}

/** The chain entry of `hash` rebuilt from getblockheader (hex and verbose). */
async function entryOf(node: NodeProcess, hash: string): Promise<ChainEntry> {
  const h = await node.rpc<Json>("getblockheader", [hash]);
  return {
    hash: fromHex(hash),
    header: decodeHeader(fromHex(await node.rpc<string>("getblockheader", [hash, false]))),
    height: h.height as number,
    mtpSecs: h.mediantime as number,
    stagnation: h.stagnation as number,
    mintedResonances: resonances(h.minted),
    returnedResonances: resonances(h.returned),
    chainWork: BigInt(`0x${h.chainwork as string}`),
  };
}

/** Spends output 0 of `prev` (worth `value`, paid to `from`'s address) to `to`, paying FEE. */
function spend(
  prev: Uint8Array,
  value: bigint,
  from: TestWallet = owner,
  to = dest.address,
): Tx {
  return signTx(
    params,
    {
      version: 1,
      inputs: [{ prevout: { txid: prev, vout: 0 }, sequence: 0 }],
      outputs: [{ value: value - FEE, address: to }],
      locktime: 0,
    },
    [{ value, address: from.address }],
    [from],
  );
}

gpuTest(
  "rnt node mines 15 trained regtest blocks, enforces maturity, heartbeat timelocks and the social covenant, rejects bad blocks, and keeps its chain across a restart",
  async () => {
    await using dir = await tempDir();
    const ownerAddress = encodeAddress(params, owner.address);
    let node = await NodeProcess.start(dir.path);
    try {
      // A fixed mock time: every block gets timestamp max(mock, MTP + 1), so median-time-past
      // creeps by about a second per block and the heartbeat timelock below is deterministic.
      await node.rpc("setmocktime", [Math.floor(Date.now() / 1000)]);
      const started = performance.now();
      // Block 2 pays a social-recovery address, all others the heartbeat owner.
      const hashes = [
        ...await node.rpc<string[]>("generatetoaddress", [1, ownerAddress]),
        ...await node.rpc<string[]>("generatetoaddress", [
          1,
          encodeAddress(params, guardians.address),
        ]),
        ...await node.rpc<string[]>("generatetoaddress", [12, ownerAddress]),
      ];
      const mineSecs = (performance.now() - started) / 1000;
      console.log(`mined 14 blocks in ${mineSecs.toFixed(1)} s`);
      assert.equal(hashes.length, 14);
      assert.equal(await node.rpc("getblockcount"), 14);

      // Every block's sample shows μ_t over its parent and grows the model by the rule.
      let parent = await entryOf(node, await node.rpc<string>("getblockhash", [0]));
      for (const hash of hashes) {
        const entry = await entryOf(node, hash);
        const next = nextModelConfig(params, parent);
        assert.equal(entry.header.dModel, next.dModel);
        assert.equal(entry.header.nLayers, next.nLayers);
        checkSampleImprovement(entry.header, parent.header, params);
        assert.equal(
          entry.chainWork,
          parent.chainWork + blockWork(params, headerSums(entry.header)),
        );
        parent = entry;
      }
      assert.equal(parent.header.nLayers, 2);

      // A coinbase spend before maturity is refused; a mature one is accepted and mined.
      const coinbaseOf = async (hash: string) => {
        const block = await node.rpc<Json>("getblock", [hash, 2]);
        const cb = (block.tx as Json[])[0]!;
        return {
          txid: fromHex(cb.txid as string),
          value: BigInt((cb.vout as Json[])[0]!.value_resonances as number),
        };
      };
      const young = await coinbaseOf(hashes[9]!); // height 10, 5 blocks before the next
      const premature = await rpcError(
        node.rpc("sendrawtransaction", [toHex(encodeTx(spend(young.txid, young.value)))]),
      );
      assert.equal(premature.rpcCode, -26);
      assert.match(premature.message, /^bad-txns-premature-spend-of-coinbase/);
      // Heartbeat: block 1's coinbase was created at genesis MTP, far more than the 60 s interval
      // ago, so the recovery key may spend it; block 2's coinbase is spent by the owner.
      const old = await coinbaseOf(hashes[0]!); // height 1
      const recoveryTx = spend(old.txid, old.value, ownerRecovery);
      const recoveryId = toHex(txid(params.magic, recoveryTx));
      assert.equal(await node.rpc("sendrawtransaction", [toHex(encodeTx(recoveryTx))]), recoveryId);
      const second = await coinbaseOf(hashes[2]!); // height 3
      const spendTx = spend(second.txid, second.value);
      const spendId = toHex(txid(params.magic, spendTx));
      assert.equal(await node.rpc("sendrawtransaction", [toHex(encodeTx(spendTx))]), spendId);
      // Social recovery: guardians may only move the funds into a pending-recovery output.
      const social = await coinbaseOf(hashes[1]!); // height 2
      const covenant = await rpcError(node.rpc("sendrawtransaction", [
        toHex(encodeTx(spend(social.txid, social.value, guardians))),
      ]));
      assert.equal(covenant.rpcCode, -26);
      assert.match(covenant.message, /^bad-social-covenant/);
      const guardianTx = spend(social.txid, social.value, guardians, pendingAddress);
      const guardianId = toHex(txid(params.magic, guardianTx));
      assert.equal(await node.rpc("sendrawtransaction", [toHex(encodeTx(guardianTx))]), guardianId);
      const both = [recoveryId, spendId, guardianId].sort();
      assert.deepEqual((await node.rpc<string[]>("getrawmempool")).sort(), both);

      const [hash15] = await node.rpc<string[]>("generatetoaddress", [1, ownerAddress]);
      const entry14 = parent;
      const entry15 = await entryOf(node, hash15!);
      const block15 = await node.rpc<Json>("getblock", [hash15, 1]);
      assert.deepEqual((block15.tx as string[]).slice(1).sort(), both);
      const cb15 = await coinbaseOf(hash15!);
      assert.equal(
        cb15.value,
        blockReward(params, entry14, headerProgressPpm(entry15.header)) + 3n * FEE,
      );
      const mined = await node.rpc<Json>("getrawtransaction", [spendId, true]);
      assert.equal(mined.blockhash, hash15);
      assert.equal(mined.confirmations, 1);
      assert.deepEqual(await node.rpc("getrawmempool"), []);
      assert.equal(await node.rpc("gettxout", [toHex(old.txid), 0]), null);
      assert.equal(await node.rpc("gettxout", [toHex(second.txid), 0]), null);

      // The owner spend's output is seconds old: its recovery branch (older(60)) is still locked.
      const fresh = await node.rpc<Json>("gettxout", [spendId, 0]);
      const freshValue = BigInt(fresh.value_resonances as number);
      const tooEarly = spend(fromHex(spendId), freshValue, destRecovery);
      const early = await rpcError(node.rpc("sendrawtransaction", [toHex(encodeTx(tooEarly))]));
      assert.equal(early.rpcCode, -26);
      assert.match(early.message, /^timelock-not-met/);

      // Blocks on the tip that break Proof-of-Training are rejected with their reasons.
      const tip = entry15;
      const tipCkpt = await node.rpc<Json>("getcheckpoint", [hash15]);
      const grown = encodeCheckpoint(growCheckpoint(
        decodeCheckpoint(fromHex(tipCkpt.hex as string), {
          dModel: tip.header.dModel,
          nLayers: tip.header.nLayers,
        }),
        nextModelConfig(params, tip),
        77,
      ));
      const commitment = { root: checkpointRoot(grown), size: grown.length };
      // Growth preserves the function, so the grown model's real loss is the parent's: a claim
      // of parent × (1 − 2μ) is a lie the evaluation catches.
      const liar = buildChildBlock(params, tip, { checkpoint: commitment });
      const lie = await rpcError(
        node.rpc("submitblock", [toHex(encodeBlock(liar)), toHex(grown)]),
      );
      assert.equal(lie.rpcCode, -26);
      assert.match(lie.message, /^sample-loss-mismatch/);
      const flat = buildChildBlock(params, tip, {
        checkpoint: commitment,
        sampleLossMicroNats: tip.header.sampleLossMicroNats,
      });
      const noGain = await rpcError(
        node.rpc("submitblock", [toHex(encodeBlock(flat)), toHex(grown)]),
      );
      assert.equal(noGain.rpcCode, -26);
      assert.match(noGain.message, /^insufficient-sample-improvement/);
      assert.equal(await node.rpc("getbestblockhash"), hash15);

      // Restart (RPC stop): same tip, same block, same UTXOs.
      const before = {
        tip: await node.rpc("getbestblockhash"),
        info: await node.rpc<Json>("getblock", [hash15, 2]),
        cb2: await node.rpc("gettxout", [toHex((await coinbaseOf(hashes[3]!)).txid), 0]),
        paid: await node.rpc("gettxout", [spendId, 0]),
      };
      assert.notEqual(before.cb2, null);
      assert.notEqual(before.paid, null);
      assert.equal(await node.rpc("stop"), "rnt stopping");
      assert.equal((await node.exited()).code, 0, node.log);
      const log = await Deno.readTextFile(`${dir.path}/debug.log`);
      assert.match(log, /rejected block [0-9a-f]{64} height=16: sample-loss-mismatch/);
      assert.match(log, /rejected block [0-9a-f]{64} height=16: insufficient-sample-improvement/);
      assert.match(
        log,
        /connected block height=15 hash=[0-9a-f]{64} loss=[\d.]+ d_model=\d+ layers=2 reward=/,
      );

      node = await NodeProcess.start(dir.path);
      assert.equal(await node.rpc("getblockcount"), 15);
      assert.equal(await node.rpc("getbestblockhash"), before.tip);
      assert.deepEqual(await node.rpc("getblock", [hash15, 2]), before.info);
      const after2 = await node.rpc<Json>("gettxout", [
        toHex((await coinbaseOf(hashes[3]!)).txid),
        0,
      ]);
      assert.deepEqual({ ...after2, confirmations: 0 }, {
        ...(before.cb2 as Json),
        confirmations: 0,
      });
      assert.deepEqual(await node.rpc("gettxout", [spendId, 0]), before.paid);
      assert.equal(await node.rpc("gettxout", [toHex(old.txid), 0]), null);
      assert.equal((await node.rpc<Json>("getrawtransaction", [spendId, 1])).blockhash, hash15);
      assert.equal((await node.stop()).code, 0);
    } finally {
      await node[Symbol.asyncDispose]();
    }
  },
);
