/**
 * One test per reject reason that no other test produced: each violating transaction or block
 * goes through the real validation path (`TestChain.validate`, i.e. block sanity, header context
 * and connect, or `validateTransaction`, or `checkProofOfTraining`) and must fail with exactly
 * that reason.
 */
import assert from "node:assert/strict";
import { policyHash } from "../primitives/policy_codec.ts";
import type { Tx } from "../primitives/tx.ts";
import { assertReject } from "./_assert_reject.ts";
import type { UtxoEntry } from "./chain_entry.ts";
import { nextModelConfig } from "./growth.ts";
import { MAX_SUPPLY_RESONANCES, REGTEST } from "./params.ts";
import { genesisCheckpointBytes } from "./genesis.ts";
import { checkProofOfTraining } from "./proof_of_training.ts";
import { VerifiedCheckpoint } from "./verified_checkpoint.ts";
import {
  defaultParentLoss,
  heartbeatWallet,
  outputKey,
  ScriptedEvaluator,
  TestChain,
  testCheckpoint,
} from "./testing/block_builder.ts";
import { validateTransaction } from "./validate_transaction.ts";

const alice = heartbeatWallet(REGTEST, 0);
const bob = heartbeatWallet(REGTEST, 1);

/** A regtest chain of 12 blocks paying alice: the first coinbase (`key`) is mature. */
async function matureChain() {
  const chain = new TestChain(REGTEST);
  for (let i = 0; i < 12; i++) await chain.mine();
  const key = outputKey(REGTEST, chain.blocks[1]!.txs[0]!, 0);
  const key2 = outputKey(REGTEST, chain.blocks[2]!.txs[0]!, 0);
  return { chain, key, key2, value: chain.view.get(key)!.value };
}

/** Runs `tx` through the mempool's path (validateTransaction) against the chain's tip. */
function validateLoose(chain: TestChain, tx: Tx) {
  return validateTransaction(tx, chain.view, { params: chain.params, parent: chain.tip });
}

/** Puts a made-up entry into the tip's UTXO view (states valid blocks cannot reach). */
function injectUtxo(chain: TestChain, key: string, entry: Partial<UtxoEntry>): void {
  chain.view.entries.set(key, {
    value: 1000n,
    address: alice.address,
    height: 1,
    coinbase: false,
    createdMtpSecs: chain.tip.mtpSecs,
    ...entry,
  });
}

Deno.test("a block whose coinbase carries a witness is bad-cb-witness", async () => {
  const { chain, key, value } = await matureChain();
  const witness = chain.spend(alice, [key], [{ value: value - 1n, address: bob.address }])
    .witnesses[0]!;
  const block = chain.build({ mutateCoinbase: (cb) => ({ ...cb, witnesses: [witness] }) });
  await assertReject(() => chain.validate(block), "bad-cb-witness");
});

Deno.test("a transaction without inputs is bad-txns-vin-empty, in a block and alone", async () => {
  const { chain } = await matureChain();
  const tx: Tx = {
    version: 1,
    inputs: [],
    outputs: [{ value: 0n, address: alice.address }],
    locktime: 0,
    witnesses: [],
  };
  await assertReject(() => chain.validate(chain.build({ txs: [tx] })), "bad-txns-vin-empty");
  await assertReject(() => validateLoose(chain, tx), "bad-txns-vin-empty");
});

Deno.test("a signed spend without outputs is bad-txns-vout-empty, in a block and alone", async () => {
  const { chain, key } = await matureChain();
  const tx = chain.spend(alice, [key], []);
  await assertReject(() => chain.validate(chain.build({ txs: [tx] })), "bad-txns-vout-empty");
  await assertReject(() => validateLoose(chain, tx), "bad-txns-vout-empty");
});

Deno.test("a spend with more witnesses than inputs is bad-txns-witness-count", async () => {
  const { chain, key, value } = await matureChain();
  const tx = chain.spend(alice, [key], [{ value: value - 1n, address: bob.address }]);
  const twice = { ...tx, witnesses: [tx.witnesses[0]!, tx.witnesses[0]!] };
  await assertReject(() => validateLoose(chain, twice), "bad-txns-witness-count");
});

Deno.test("a spend larger than maxTxBytes is bad-txns-oversize, in a block and alone", async () => {
  const { chain, key } = await matureChain();
  // One output is 8 + 34 bytes: 2 500 of them exceed regtest's 100 000-byte limit.
  const outputs = Array.from({ length: 2_500 }, () => ({ value: 1n, address: bob.address }));
  const tx = chain.spend(alice, [key], outputs);
  await assertReject(() => chain.validate(chain.build({ txs: [tx] })), "bad-txns-oversize");
  await assertReject(() => validateLoose(chain, tx), "bad-txns-oversize");
});

Deno.test("a spend naming one outpoint twice is bad-txns-inputs-duplicate", async () => {
  const { chain, key, value } = await matureChain();
  const tx = chain.spend(alice, [key, key], [{ value, address: bob.address }]);
  await assertReject(
    () => chain.validate(chain.build({ txs: [tx] })),
    "bad-txns-inputs-duplicate",
  );
  await assertReject(() => validateLoose(chain, tx), "bad-txns-inputs-duplicate");
});

Deno.test("inputs out of the money range are bad-txns-inputvalues-outofrange", async () => {
  // The supply cap keeps such coins out of a chain built from valid blocks; the rule guards
  // against a corrupted UTXO view, so the coins are injected into the view here.
  const { chain } = await matureChain();
  const half = MAX_SUPPLY_RESONANCES / 2n + 1n;
  const a = `${"aa".repeat(32)}:0`, b = `${"bb".repeat(32)}:0`, c = `${"cc".repeat(32)}:0`;
  injectUtxo(chain, a, { value: half });
  injectUtxo(chain, b, { value: half });
  injectUtxo(chain, c, { value: MAX_SUPPLY_RESONANCES + 1n });
  const sum = chain.spend(alice, [a, b], [{ value: 1n, address: bob.address }]);
  await assertReject(
    () => chain.validate(chain.build({ txs: [sum], feesResonances: 0n })),
    "bad-txns-inputvalues-outofrange",
  );
  await assertReject(() => validateLoose(chain, sum), "bad-txns-inputvalues-outofrange");
  const one = chain.spend(alice, [c], [{ value: 1n, address: bob.address }]);
  await assertReject(() => validateLoose(chain, one), "bad-txns-inputvalues-outofrange");
});

Deno.test("creating an output of an unknown recovery kind is bad-recovery-kind", async () => {
  const { chain, key, value } = await matureChain();
  const tx = chain.spend(alice, [key], [{
    value: value - 1n,
    address: { kind: 9, hash: alice.address.hash },
  }]);
  await assertReject(() => chain.validate(chain.build({ txs: [tx] })), "bad-recovery-kind");
  await assertReject(() => validateLoose(chain, tx), "bad-recovery-kind");
});

Deno.test("spending an output of an unknown recovery kind is bad-recovery-kind", async () => {
  // Stage 1 keeps unknown kinds out of the UTXO set, so the coin is injected: the spend reveals
  // the right policy (its hash matches) but the kind has no recovery rule.
  const { chain } = await matureChain();
  const odd = `${"dd".repeat(32)}:1`;
  injectUtxo(chain, odd, { address: { kind: 9, hash: policyHash(alice.policy) } });
  const tx = chain.spend(alice, [odd], [{ value: 900n, address: bob.address }]);
  await assertReject(() => chain.validate(chain.build({ txs: [tx] })), "bad-recovery-kind");
  await assertReject(() => validateLoose(chain, tx), "bad-recovery-kind");
  // The same spend of a known kind is valid, so the kind alone is what fails.
  injectUtxo(chain, odd, { address: alice.address });
  await validateLoose(chain, chain.spend(alice, [odd], [{ value: 900n, address: bob.address }]));
});

Deno.test("a sample loss claim one micro-nat off the exact integer is sample-loss-mismatch, for the block and for its parent", async () => {
  const chain = new TestChain(REGTEST);
  const cfg = nextModelConfig(REGTEST, chain.tip);
  const parent = {
    header: chain.tip.header,
    checkpoint: VerifiedCheckpoint.verify(chain.tip.header, genesisCheckpointBytes(REGTEST)),
  };
  const ctx = (evaluator: ScriptedEvaluator) => ({
    params: REGTEST,
    evaluator,
    corpus: new Uint8Array(4096),
  });
  const ck = testCheckpoint(cfg, 1);
  const block = chain.build({ checkpoint: ck });
  await chain.validate(block); // stages 1–3 pass: only the evaluation disagrees
  const evaluator = new ScriptedEvaluator();
  for (const off of [1, -1]) {
    evaluator.register(ck.bytes, (block.header.sampleLossMicroNats + off) / 1e6);
    await assertReject(
      () => checkProofOfTraining(block.header, ck.bytes, parent, ctx(evaluator)),
      "sample-loss-mismatch",
    );
  }
  evaluator.register(ck.bytes, block.header.sampleLossMicroNats / 1e6);
  const lying = chain.build({
    checkpoint: ck,
    parentSampleLossMicroNats: defaultParentLoss(chain.tip) + 1,
  });
  await assertReject(
    () => checkProofOfTraining(lying.header, ck.bytes, parent, ctx(evaluator)),
    "sample-loss-mismatch",
  );
  // The same block with its exact claims passes, and reports its verified progress.
  const r = await checkProofOfTraining(block.header, ck.bytes, parent, ctx(evaluator));
  assert.equal(r.progressPpm, 2 * REGTEST.sampleMinImprovementPpm);
  assert.equal(r.windowStarts.length, REGTEST.evalSampleWindows);
});
