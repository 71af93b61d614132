/**
 * `cancelrecovery` on a scripted node: guardians move the owner's social coin into a pending
 * recovery; the node's wallet (which never saw the pending policy) cancels it revealing only
 * `pk(owner)`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { outpointKey } from "../../core/consensus/chain_entry.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { buildChildBlock, testCheckpoint } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { AddressData } from "../../core/primitives/address.ts";
import { encodeBlock } from "../../core/primitives/block.ts";
import { pk } from "../../core/primitives/policy.ts";
import { formatPolicy } from "../../core/primitives/policy_text.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import type { RecoverySpec } from "../../core/wallet/recovery_spec.ts";
import {
  createRecoveryRequest,
  finalizeRecovery,
  signRecoveryRequest,
} from "../../core/wallet/social_recovery.ts";
import { coinFromUtxo, Wallet } from "../../core/wallet/wallet.ts";
import { FAST_TEST_KDF, writeWallet } from "../../node/wallet/store.ts";
import { startScriptedNode } from "./_test_node.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const params = REGTEST;
type Json = Record<string, unknown>;

Deno.test("cancelrecovery: the loaded wallet cancels its pending social recovery with only the owner key", async () => {
  const { call, close, dir, chainstate, evaluator } = await startScriptedNode(params);
  const mine = async (to: AddressData, txs: Tx[] = [], fees = 0n) => {
    const parent = chainstate.tip();
    const ck = testCheckpoint(nextModelConfig(params, parent), parent.height + 1);
    const block = buildChildBlock(params, parent, {
      checkpoint: { root: ck.root, size: ck.size },
      coinbaseTo: to,
      txs,
      feesResonances: fees,
      timestampSecs: parent.header.timestampSecs + 1000,
    });
    evaluator.register(ck.bytes, block.header.sampleLossMicroNats / 1e6);
    assert.deepEqual(await call("submitblock", toHex(encodeBlock(block)), toHex(ck.bytes)), {
      result: null,
    });
  };
  try {
    const g1 = Wallet.fromMnemonic(params, "zoo ".repeat(23) + "vote");
    const g2 = Wallet.fromMnemonic(params, "abandon ".repeat(23) + "art");
    const spec: RecoverySpec = {
      kind: "social",
      guardians: [g1.guardianKey(0), g2.guardianKey(0)],
      threshold: 2,
      cancelDelaySecs: 600,
    };
    const owner = Wallet.generate(params);
    const social = owner.newAddress(spec);
    await writeWallet(`${dir}/wallet.dat`, owner, "pw", FAST_TEST_KDF);
    assert.deepEqual((await call("loadwallet", "", "pw")).result, {
      name: "wallet.dat",
      warning: "",
    });
    // Nothing pending yet.
    assert.equal((await call("cancelrecovery")).error?.code, -6);
    for (let h = 1; h <= 11; h++) await mine(social.data);

    // The guardians (with a heir's key) move the height-1 coinbase into a pending recovery.
    let coin;
    for await (const [op, e] of chainstate.utxos()) {
      if (e.height === 1) coin = coinFromUtxo(outpointKey(op), e);
    }
    const req = createRecoveryRequest(params, {
      coin: coin!,
      socialPolicy: social.policy,
      newOwnerPolicy: pk(g1.guardianKey(7)),
      cancelDelaySecs: 600,
      feeResonances: 1000n,
    });
    const sigs = [g1, g2].map((g) => signRecoveryRequest(params, req, g.guardianSecretKey(0)));
    const recovery = finalizeRecovery(params, req, sigs);
    await mine(g1.newAddress(spec).data, [recovery], 1000n);

    const r = (await call("cancelrecovery")).result as Json;
    const recoveryId = toHex(txid(params.magic, recovery));
    assert.deepEqual(r.cancelled, [`${recoveryId}:0`]);
    const raw = (await call("getrawtransaction", r.txid, true)).result as Json;
    const vin = raw.vin as Json[];
    assert.equal(vin.length, 1);
    assert.equal(vin[0]!.txid, recoveryId);
    assert.equal(vin[0]!.policy, formatPolicy(pk(social.ownerKey)));
    const out = (raw.vout as Json[])[0]!;
    assert.equal(out.address, r.address);
    assert.equal(out.recovery_kind, "social");
    // The pending output is spent in the mempool: nothing left to cancel.
    assert.equal((await call("cancelrecovery")).error?.code, -6);
  } finally {
    await close();
  }
});
