/**
 * A shared table of named good and bad blocks (btcd `fullblocktests` style), built on regtest
 * from genesis with real, decodable checkpoints. Replay it in order: an `accept` block becomes
 * the new tip, a rejected one must fail with exactly `expect` and leave the tip unchanged.
 * `evaluator` knows the loss of every checkpoint in the table (a node under test must be
 * built with it), and `nowSecs` is the clock to validate with.
 *
 * @module
 */
import type { Block } from "../../primitives/block.ts";
import { encodedCheckpointSize } from "../../checkpoint/rnet.ts";
import { type NetworkParams, REGTEST } from "../params.ts";
import type { RejectReason } from "../reasons.ts";
import { nextModelConfig } from "../growth.ts";
import {
  defaultChildLoss,
  defaultParentLoss,
  heartbeatWallet,
  outputKey,
  ScriptedEvaluator,
  TestChain,
  testCheckpoint,
  testKey,
} from "./block_builder.ts";

/** One named block of the table. */
export interface BlockTestCase {
  /** Stable name, e.g. "b12-bad-txnmrklroot". */
  readonly name: string;
  /** The block (a child of the tip at its position in the table). */
  readonly block: Block;
  /** Its checkpoint bytes. */
  readonly checkpoint: Uint8Array;
  /** "accept", or the exact reject reason. */
  readonly expect: "accept" | RejectReason;
}

/** The table and what replaying it needs. */
export interface BlockTestTable {
  /** Network params (regtest by default). */
  readonly params: NetworkParams;
  /** The cases in replay order. */
  readonly cases: readonly BlockTestCase[];
  /** Evaluator that knows every table checkpoint's loss. */
  readonly evaluator: ScriptedEvaluator;
  /** The clock to validate with. */
  readonly nowSecs: number;
}

/**
 * Builds the table: 12 good blocks (so the first coinbase matures), then bad blocks breaking
 * one rule each, good spends, and bad Proof-of-Training claims.
 */
export async function fullBlockTests(params: NetworkParams = REGTEST): Promise<BlockTestTable> {
  const chain = new TestChain(params);
  const evaluator = new ScriptedEvaluator();
  const cases: BlockTestCase[] = [];
  const alice = heartbeatWallet(params, 0);
  const bob = heartbeatWallet(params, 1);
  const real = (valLoss?: number, lossNats?: number) => {
    const cfg = nextModelConfig(params, chain.tip);
    const ck = testCheckpoint(cfg, chain.tip.height + 1 + cases.length * 1000);
    const v = valLoss ?? defaultChildLoss(params, chain.tip);
    evaluator.register(ck.bytes, lossNats ?? v / 1e6);
    return { ck, v };
  };
  const good = async (name: string, opts: Parameters<TestChain["build"]>[0] = {}) => {
    const { ck, v } = real(opts.sampleLossMicroNats);
    const block = chain.build({ ...opts, sampleLossMicroNats: v, checkpoint: ck });
    await chain.accept(block);
    cases.push({ name, block, checkpoint: ck.bytes, expect: "accept" });
    return block;
  };
  const bad = (
    name: string,
    expect: RejectReason,
    opts: Parameters<TestChain["build"]>[0] = {},
    lossNats?: number,
  ) => {
    const { ck, v } = real(opts.sampleLossMicroNats, lossNats);
    const block = chain.build({ checkpoint: ck, ...opts, sampleLossMicroNats: v });
    cases.push({ name, block, checkpoint: ck.bytes, expect });
  };

  for (let h = 1; h <= 12; h++) await good(`b${h}-coinbase-to-alice`);
  const mature = outputKey(params, chain.blocks[1]!.txs[0]!, 0);
  const young = outputKey(params, chain.blocks[12]!.txs[0]!, 0);
  const value = chain.view.get(mature)!.value;
  const pay = (to = bob.address, v = value - 1000n) => [{ value: v, address: to }];

  bad("bad-version", "bad-version", { mutateHeader: (h) => ({ ...h, version: 2 }) });
  bad("bad-checkpoint-size", "bad-checkpoint-size", {
    mutateHeader: (h) => ({ ...h, checkpointSize: h.checkpointSize + 1 }),
  });
  bad("no-coinbase", "bad-cb-missing", {
    txs: [chain.spend(alice, [mature], pay())],
    mutateTxs: (txs) => txs.slice(1),
  });
  bad("two-coinbases", "bad-cb-multiple", {
    mutateTxs: (txs) => [txs[0]!, { ...txs[0]!, locktime: 99 }],
  });
  bad("coinbase-locktime-not-height", "bad-cb-height", {
    mutateCoinbase: (cb) => ({ ...cb, locktime: cb.locktime + 1 }),
  });
  bad("duplicate-tx", "bad-txns-duplicate", {
    mutateTxs: (txs) => {
      const s = chain.spend(alice, [mature], pay());
      return [txs[0]!, s, s];
    },
  });
  bad("coinbase-unknown-kind", "bad-recovery-kind", {
    coinbaseTo: { kind: 9, hash: alice.address.hash },
  });
  bad("bad-txroot", "bad-txnmrklroot", {
    mutateHeader: (h) => ({ ...h, txRoot: h.witnessRoot }),
  });
  bad("bad-witness-root", "bad-witness-root", {
    mutateHeader: (h) => ({ ...h, witnessRoot: h.txRoot }),
  });
  bad("wrong-parent", "bad-prevblk", {
    mutateHeader: (h) => ({ ...h, prevHash: chain.entries[5]!.hash }),
  });
  bad("wrong-height", "bad-height", {
    mutateCoinbase: (cb) => ({ ...cb, locktime: cb.locktime + 1 }),
    mutateHeader: (h) => ({ ...h, height: h.height + 1 }),
  });
  bad("time-at-mtp", "time-too-old", { timestampSecs: chain.tip.mtpSecs });
  bad("time-too-far-ahead", "time-too-new", {
    timestampSecs: chain.nowSecs + params.maxFutureBlockTimeSecs + 1,
  });
  bad("no-growth", "bad-model-config", {
    mutateHeader: (h) => {
      const dModel = h.dModel - 2;
      return {
        ...h,
        dModel,
        checkpointSize: encodedCheckpointSize({ dModel, nLayers: h.nLayers }),
      };
    },
  });
  bad("too-small-improvement", "insufficient-sample-improvement", {
    sampleLossMicroNats: defaultParentLoss(chain.tip) - 1,
  });
  bad("signed-by-other-key", "bad-blk-sig", {
    mutateSignedHeader: (h) => ({ ...h, minerKey: testKey(7).publicKey }),
  });
  bad("coinbase-overpays", "bad-cb-amount", {
    coinbaseValue: 2n * 50n * 100_000_000n + 1n,
  });
  bad("spend-immature-coinbase", "bad-txns-premature-spend-of-coinbase", {
    txs: [chain.spend(alice, [young], pay())],
  });
  bad("spend-missing-output", "bad-txns-inputs-missingorspent", {
    mutateTxs: (txs) => {
      const s = chain.spend(alice, [mature], pay());
      const prevout = { ...s.inputs[0]!.prevout, vout: 5 };
      return [txs[0]!, { ...s, inputs: [{ prevout, sequence: 0 }] }];
    },
  });
  bad("double-spend-in-block", "bad-txns-inputs-missingorspent", {
    txs: [chain.spend(alice, [mature], pay()), chain.spend(alice, [mature], pay(alice.address))],
  });
  bad("outputs-exceed-inputs", "bad-txns-in-belowout", {
    txs: [chain.spend(alice, [mature], pay(bob.address, value + 1n))],
  });
  bad("wrong-policy-revealed", "bad-policy-hash", {
    txs: [chain.spend(bob, [mature], pay())],
  });
  bad("bad-signature", "bad-satisfaction", {
    mutateTxs: (txs) => {
      const s = chain.spend(alice, [mature], pay());
      const w = s.witnesses[0]!;
      const sig = w.satisfaction.signatures[0]!;
      const broken = sig.signature.slice();
      broken[0]! ^= 1;
      return [txs[0]!, {
        ...s,
        witnesses: [{
          ...w,
          satisfaction: { ...w.satisfaction, signatures: [{ ...sig, signature: broken }] },
        }],
      }];
    },
  });
  const loss = defaultChildLoss(params, chain.tip);
  bad("sample-loss-claim-one-micronat-off", "sample-loss-mismatch", {}, (loss + 1) / 1e6);
  bad("parent-sample-loss-claim-one-micronat-off", "sample-loss-mismatch", {
    parentSampleLossMicroNats: defaultParentLoss(chain.tip) + 1,
  });
  bad("checkpoint-not-committed", "bad-checkpoint-root", {
    checkpoint: {
      root: new Uint8Array(32),
      size: testCheckpoint(nextModelConfig(params, chain.tip), 1).size,
    },
  });
  await good("b13-alice-pays-bob", { txs: [chain.spend(alice, [mature], pay())] });
  bad("spend-already-spent", "bad-txns-inputs-missingorspent", {
    txs: [chain.blocks[13]!.txs[1]!],
  });
  await good("b14-empty");
  return { params, cases, evaluator, nowSecs: chain.nowSecs };
}
