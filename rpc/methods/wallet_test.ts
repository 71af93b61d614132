/**
 * The wallet RPC methods in-process (Hono `app.request`, no socket, no GPU) over a real
 * Chainstate with a scripted evaluator: loadwallet errors, balances, listunspent timers,
 * sendtoaddress with change written back to the encrypted file, an emission-return sweep that
 * lowers circulating supply and removes the coin from the wallet, backupwallet.
 */
import assert from "node:assert/strict";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { buildChildBlock, testCheckpoint } from "../../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { encodeAddress } from "../../core/primitives/address.ts";
import { encodeBlock } from "../../core/primitives/block.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import {
  decodeWallet,
  FAST_TEST_KDF,
  readWalletBytes,
  writeWallet,
} from "../../node/wallet/store.ts";
import { startScriptedNode } from "./_test_node.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const params = REGTEST;
type Json = Record<string, unknown>;
const WORDS = "abandon ".repeat(23) + "art";

async function setup() {
  const { node, call, close, dir, chainstate, evaluator } = await startScriptedNode(params);
  /** Mines the next block (1000 s after its parent) paying `to`, with `txs`. */
  const mine = async (to: Wallet, txs: Tx[] = [], fees = 0n) => {
    const parent = chainstate.tip();
    const ck = testCheckpoint(nextModelConfig(params, parent), parent.height + 1);
    const block = buildChildBlock(params, parent, {
      checkpoint: { root: ck.root, size: ck.size },
      coinbaseTo: to.addresses()[0]!.data,
      txs,
      feesResonances: fees,
      timestampSecs: parent.header.timestampSecs + 1000,
    });
    evaluator.register(ck.bytes, block.header.sampleLossMicroNats / 1e6);
    const r = await call("submitblock", toHex(encodeBlock(block)), toHex(ck.bytes));
    assert.deepEqual(r, { result: null });
  };
  return { node, call, mine, close, dir };
}

Deno.test("wallet RPC: loadwallet, balances, sendtoaddress, emission-return sweep, backupwallet", async () => {
  const { node, call, mine, close, dir } = await setup();
  try {
    const spec = { kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } } as const;
    const wallet = Wallet.fromMnemonic(params, WORDS);
    const a0 = wallet.newAddress(spec);
    await writeWallet(`${dir}/wallet.dat`, wallet, "pw", FAST_TEST_KDF);

    // No wallet yet: −18; a wrong passphrase: −14; loaded twice: −35.
    assert.equal((await call("getbalance")).error?.code, -18);
    assert.equal((await call("loadwallet", "wallet.dat", "nope")).error?.code, -14);
    assert.deepEqual((await call("loadwallet", "", "pw")).result, {
      name: "wallet.dat",
      warning: "",
    });
    assert.equal((await call("loadwallet", "", "pw")).error?.code, -35);

    // 11 blocks to the wallet: heights 1 and 2 mature.
    for (let h = 1; h <= 11; h++) await mine(wallet);
    const info = (await call("getwalletinfo")).result as Json;
    const unspent = (await call("listunspent")).result as Json[];
    assert.equal(unspent.length, 11);
    const sum = (rows: Json[]) =>
      rows.reduce((s, r) => s + BigInt(r.amount_resonances as number), 0n);
    const mature = unspent.filter((r) => r.spendable);
    assert.equal(mature.length, 2);
    const rnt = (v: unknown) => BigInt(Math.round(Number(v) * 1e8));
    assert.equal(rnt(info.balance), sum(mature));
    assert.equal(rnt(info.immature_balance), sum(unspent) - sum(mature));
    assert.equal(rnt((await call("getbalance")).result), sum(mature));
    // Coins 1 and 2 are older than the 3600 s emission-return age and the 600 s interval.
    for (const r of mature) {
      assert.equal(r.emission_return_in_secs, 0);
      assert.equal(r.recovery_opens_in_secs, 0);
    }

    // getnewaddress keeps the policy and is written to the encrypted file.
    const a1 = (await call("getnewaddress", "second")).result as string;
    const onDisk = async () =>
      (await decodeWallet(await readWalletBytes(`${dir}/wallet.dat`), "pw", params)).wallet;
    assert.deepEqual((await onDisk()).addresses().map((a) => a.address), [a0.address, a1]);

    // sendtoaddress: pays, keeps change in the wallet (a new change address on disk).
    const payee = Wallet.fromMnemonic(params, WORDS, "other").newAddress(spec);
    const sent = await call("sendtoaddress", payee.address, 1.5);
    const txidHex = sent.result as string;
    assert.deepEqual((await call("getrawmempool")).result, [txidHex]);
    assert.equal((await onDisk()).addresses().length, 3);
    const afterSend = (await call("listunspent", 0)).result as Json[];
    const change = afterSend.find((r) => r.txid === txidHex)!;
    assert.equal(change.confirmations, 0);

    // The other mature coin is swept back to the emission pool by a miner (no witnesses, one
    // zero output): circulating supply drops by its value and the wallet no longer lists it.
    const old = afterSend.find((r) => r.spendable && r.confirmations !== 0)!;
    const sweep: Tx = {
      version: 1,
      inputs: [{
        prevout: { txid: fromHex(old.txid as string), vout: old.vout as number },
        sequence: 0,
      }],
      outputs: [{ value: 0n, address: a0.data }],
      locktime: 0,
      witnesses: [],
    };
    const pooled = node.mempool.get(fromHex(txidHex))!;
    const before = (await call("getblockchaininfo")).result as Json;
    await mine(wallet, [pooled.tx, sweep], pooled.feeResonances);
    const after = (await call("getblockchaininfo")).result as Json;
    assert.equal(
      rnt(after.returned) - rnt(before.returned),
      BigInt(old.amount_resonances as number),
    );
    assert.equal(rnt(after.circulating), rnt(after.minted) - rnt(after.returned));
    const left = (await call("listunspent")).result as Json[];
    assert.ok(!left.some((r) => r.txid === old.txid));
    const history = (await call("listtransactions", "*", 100)).result as Json[];
    const spend = history.find((h) => h.txid === txidHex)!;
    assert.equal(spend.category, "send");
    assert.equal(
      BigInt(spend.amount_resonances as number),
      -(150_000_000n + pooled.feeResonances),
    );
    assert.equal(history.filter((h) => h.category === "generate").length, 12);

    // backupwallet writes an encrypted copy with the same addresses; unloadwallet → −18.
    assert.deepEqual((await call("backupwallet", `${dir}/backup.dat`)).result, null);
    const backup = await decodeWallet(
      await readWalletBytes(`${dir}/backup.dat`),
      "pw",
      params,
    );
    assert.deepEqual(
      backup.wallet.addresses().map((a) => a.address),
      (await onDisk()).addresses().map((a) => a.address),
    );
    assert.equal(encodeAddress(params, a0.data), a0.address);
    assert.deepEqual((await call("unloadwallet")).result, { warning: "" });
    assert.equal((await call("getwalletinfo")).error?.code, -18);
  } finally {
    await close();
  }
});

Deno.test("wallet RPC: loadwallet without passphrase is locked (−13) until walletpassphrase, which relocks after its timeout; listwallets, getbalances", async () => {
  const { call, mine, close, dir } = await setup();
  try {
    const spec = { kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } } as const;
    const wallet = Wallet.fromMnemonic(params, WORDS);
    wallet.newAddress(spec);
    await writeWallet(`${dir}/w1.dat`, wallet, "pw", FAST_TEST_KDF);
    assert.deepEqual((await call("listwallets")).result, []);
    assert.equal((await call("loadwallet", "missing.dat")).error?.code, -18);
    const load = (await call("loadwallet", "w1.dat")).result as Json;
    assert.equal(load.name, "w1.dat");
    assert.match(load.warning as string, /locked/);
    assert.deepEqual((await call("listwallets")).result, ["w1.dat"]);
    assert.equal((await call("getbalances")).error?.code, -13);
    assert.equal((await call("loadwallet", "w1.dat")).error?.code, -35);
    assert.equal((await call("walletpassphrase", "nope", 60)).error?.code, -14);
    assert.equal((await call("walletpassphrase", "pw", 0)).error?.code, -8);

    for (let i = 0; i < 12; i++) await mine(wallet);
    assert.deepEqual(await call("walletpassphrase", "pw", 1), { result: null });
    const b = (await call("getbalances")).result as {
      mine: Record<string, number>;
      lastprocessedblock: Json;
    };
    // 12 coinbases, maturity 10: heights 1–2 spendable in the next block, 10 immature.
    const info = (await call("getwalletinfo")).result as Json;
    assert.equal(b.mine.trusted, info.balance);
    assert.equal(b.mine.immature, info.immature_balance);
    assert.equal(b.mine.untrusted_pending, 0);
    assert.ok(b.mine.trusted! > 0 && b.mine.immature! > b.mine.trusted!);
    assert.equal(b.lastprocessedblock.height, 12);
    assert.equal(b.lastprocessedblock.hash, (await call("getbestblockhash")).result);

    // After the timeout the wallet is dropped from memory: locked again.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await call("getbalances")).error?.code, -13);
    assert.deepEqual((await call("unloadwallet")).result, { warning: "" });
    assert.deepEqual((await call("listwallets")).result, []);

    // Loaded with its passphrase (the old form): not lockable.
    await call("loadwallet", "w1.dat", "pw");
    assert.equal((await call("walletpassphrase", "pw", 5)).error?.code, -15);
    assert.deepEqual((await call("listwallets")).result, ["w1.dat"]);
  } finally {
    await close();
  }
});
