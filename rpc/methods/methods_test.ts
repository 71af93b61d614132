/**
 * The node's RPC methods in-process (Hono `app.request`, no socket, no GPU): a real Chainstate on
 * LevelDB in a temp dir with a scripted evaluator, blocks built by the consensus test builder and
 * submitted through `submitblock`.
 */
import assert from "node:assert/strict";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import {
  buildChildBlock,
  heartbeatWallet,
  signTx,
  testCheckpoint,
} from "../../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { encodeAddress } from "../../core/primitives/address.ts";
import { type Block, decodeBlock, decodeHeader, encodeBlock } from "../../core/primitives/block.ts";
import { encodeTx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { startScriptedNode } from "./_test_node.ts";
import { nodeMethodParams } from "./mod.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const params = REGTEST;
const owner = heartbeatWallet(params, 0);
const dest = heartbeatWallet(params, 1);
type Json = Record<string, unknown>;

async function setup() {
  const { node, call, close, chainstate, evaluator } = await startScriptedNode(params);
  /** Builds the next block with a scripted checkpoint loss (the claim, or `realLossNats`). */
  const nextBlock = (seed: number, realLossNats?: number, txs: Block["txs"] = [], fees = 0n) => {
    const parent = chainstate.tip();
    const ck = testCheckpoint(nextModelConfig(params, parent), seed);
    const block = buildChildBlock(params, parent, {
      checkpoint: { root: ck.root, size: ck.size },
      coinbaseTo: owner.address,
      txs,
      feesResonances: fees,
    });
    evaluator.register(ck.bytes, realLossNats ?? block.header.sampleLossMicroNats / 1e6);
    return { block, hex: toHex(encodeBlock(block)), ckpt: toHex(ck.bytes) };
  };
  return { node, call, nextBlock, close, chainstate };
}

Deno.test("node RPC methods serve blocks, transactions and the mempool from a real chainstate", async () => {
  const { call, nextBlock, close } = await setup();
  try {
    const blocks: Block[] = [];
    for (let h = 1; h <= 11; h++) {
      const b = nextBlock(h);
      assert.deepEqual(await call("submitblock", b.hex, b.ckpt), { result: null });
      blocks.push(b.block);
    }
    const again = nextBlock(11);
    assert.equal(
      (await call("submitblock", toHex(encodeBlock(blocks[10]!)), again.ckpt)).result,
      "duplicate",
    );
    assert.equal((await call("getblockcount")).result, 11);
    const hash1 = (await call("getblockhash", 1)).result as string;
    const hash2 = (await call("getblockhash", 2)).result as string;

    // getblock 0/1/2 and getblockheader agree with the block that was submitted.
    const hex = (await call("getblock", hash1, 0)).result as string;
    assert.deepEqual(decodeBlock(fromHex(hex), params), blocks[0]);
    const v1 = (await call("getblock", hash1)).result as Json;
    assert.equal(v1.height, 1);
    assert.equal(v1.confirmations, 11);
    assert.equal(v1.nextblockhash, hash2);
    assert.equal(v1.nTx, 1);
    assert.equal(v1.d_model, 18);
    assert.equal(v1.sample_loss_micronats, blocks[0]!.header.sampleLossMicroNats);
    const cbId = toHex(txid(params.magic, blocks[0]!.txs[0]!));
    assert.deepEqual(v1.tx, [cbId]);
    const v2 = (await call("getblock", hash1, 2)).result as Json;
    const cb = (v2.tx as Json[])[0]!;
    assert.equal(cb.txid, cbId);
    assert.deepEqual((cb.vin as Json[])[0], { coinbase: true, sequence: 0 });
    assert.equal((cb.vout as Json[])[0]!.address, encodeAddress(params, owner.address));
    const headerHex = (await call("getblockheader", hash1, false)).result as string;
    assert.deepEqual(decodeHeader(fromHex(headerHex)), blocks[0]!.header);

    // gettxout, then a mature coinbase spend through the mempool.
    const value = blocks[0]!.txs[0]!.outputs[0]!.value;
    const utxo = (await call("gettxout", cbId, 0)).result as Json;
    assert.equal(utxo.value_resonances, Number(value));
    assert.equal(utxo.coinbase, true);
    assert.equal(utxo.recovery_kind, "heartbeat");
    const spend = signTx(
      params,
      {
        version: 1,
        inputs: [{ prevout: { txid: fromHex(cbId), vout: 0 }, sequence: 0 }],
        outputs: [{ value: value - 5000n, address: dest.address }],
        locktime: 0,
      },
      [{ value, address: owner.address }],
      [owner],
    );
    const spendHex = toHex(encodeTx(spend));
    const spendId = toHex(txid(params.magic, spend));
    assert.equal((await call("sendrawtransaction", spendHex)).result, spendId);
    assert.equal((await call("sendrawtransaction", spendHex)).result, spendId);
    assert.deepEqual((await call("getrawmempool")).result, [spendId]);
    assert.equal(((await call("getmempoolinfo")).result as Json).size, 1);
    assert.equal((await call("gettxout", cbId, 0)).result, null);
    assert.notEqual((await call("gettxout", cbId, 0, false)).result, null);
    assert.equal((await call("getrawtransaction", spendId)).result, spendHex);
    const decoded = (await call("decoderawtransaction", spendHex)).result as Json;
    assert.equal(decoded.txid, spendId);
    assert.match((decoded.vin as Json[])[0]!.policy as string, /^or\(pk\(/);

    // Mine it: the mempool empties, the transaction has a block, a second send is −27.
    const b12 = nextBlock(12, undefined, [spend], 5000n);
    assert.deepEqual(await call("submitblock", b12.hex, b12.ckpt), { result: null });
    assert.deepEqual((await call("getrawmempool")).result, []);
    const mined = (await call("getrawtransaction", spendId, true)).result as Json;
    assert.equal(mined.blockhash, (await call("getbestblockhash")).result);
    assert.equal(mined.confirmations, 1);
    assert.equal((await call("sendrawtransaction", spendHex)).error?.code, -27);
    assert.equal((await call("sendrawtransaction", spendHex.slice(0, 20))).error?.code, -22);
    assert.equal((await call("gettxout", spendId, 0)).result !== null, true);

    // A block whose checkpoint really scores worse than claimed: −26 sample-loss-mismatch.
    const liar = nextBlock(13, 9.9);
    const lie = (await call("submitblock", liar.hex, liar.ckpt)).error!;
    assert.equal(lie.code, -26);
    assert.match(lie.message, /^sample-loss-mismatch/);
    assert.equal((await call("submitblock", "00", "00")).error?.code, -22);
    assert.equal((await call("getblockcount")).result, 12);

    // Mining and model info, addresses, and no block producer without WebGPU.
    const mining = (await call("getmininginfo")).result as Json;
    assert.equal(mining.blocks, 12);
    assert.equal(mining.next_d_model, 18 + 2 * 12);
    const model = (await call("getmodelinfo", hash2)).result as Json;
    assert.equal(model.height, 2);
    assert.equal(model.checkpoint_available, true);
    const ckpt = (await call("getcheckpoint", hash2, 0)).result as Json;
    assert.equal(ckpt.chunk, 0);
    assert.equal(ckpt.size, (ckpt.hex as string).length / 2);
    const addr = encodeAddress(params, dest.address);
    assert.deepEqual((await call("validateaddress", addr)).result, {
      isvalid: true,
      address: addr,
      recovery_kind: "heartbeat",
      policy_hash: toHex(dest.address.hash),
    });
    assert.equal(((await call("validateaddress", "trnt1qqq")).result as Json).isvalid, false);
    const gen = (await call("generatetoaddress", 1, addr)).error!;
    assert.equal(gen.code, -1);
    assert.match(gen.message, /WebGPU/);
    assert.equal((await call("generatetoaddress", -1, addr)).error?.code, -8);
  } finally {
    await close();
  }
});

Deno.test("nodeMethodParams() exposes declared parameter types for rnt cli", () => {
  assert.equal(nodeMethodParams("getblockheader")?.[0]?.type, "hex");
  assert.equal(nodeMethodParams("getblockhash")?.[0]?.type, "number");
  assert.equal(nodeMethodParams("help")?.[0]?.type, "string");
  assert.equal(nodeMethodParams("nosuch"), undefined);
});
