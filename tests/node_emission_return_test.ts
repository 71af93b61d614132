/**
 * Emission-return sweeps mined by a real `rnt node --regtest` (PROTOCOL §5.8): coins mined at
 * t0 show their emission-return window in `rnt wallet status`; once setmocktime has moved the
 * chain's MTP an hour past them, `getminingtemplate` offers a sweep of them and the next
 * `generatetoaddress` block carries it: the coins are gone, the returned supply rises and the
 * UTXO total falls by exactly their value, and the wallet's balance drops by its share. The
 * blocks before the sweep are built on the committed fixture's checkpoints rather than trained
 * (tests/fixture_blocks.ts); the node's mining template is checked before each of them.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet } from "../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { encodeAddress } from "../core/primitives/address.ts";
import { decodeTx } from "../core/primitives/tx.ts";
import { gpuTest } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { TestWalletCli } from "./wallet_helpers.ts";
import { FixtureChain } from "./fixture_blocks.ts";

type Json = Record<string, unknown>;

/** An RNT amount with 8 decimals as resonances (exact below 2^53). */
const res = (x: unknown) => BigInt(Math.round(Number(x) * 1e8));

gpuTest(
  "a regtest node sweeps coins older than emissionReturnAgeSecs back to the emission pool",
  async () => {
    await using dir = await tempDir();
    await using node = await NodeProcess.start(`${dir.path}/node`);
    const t0 = Math.floor(Date.now() / 1000);
    await node.rpc("setmocktime", [t0]);
    const wallet = new TestWalletCli(node, dir.path, "w");
    await wallet.setPassphrase("pass");
    const created = await wallet.json(["create", "--insecure-fast-kdf"]);
    const other = encodeAddress(REGTEST, heartbeatWallet(REGTEST, 5).address);

    // Blocks 1–2 pay the wallet at t0, 3–5 another address; their block MTPs are ≈ t0.
    const chain = await FixtureChain.start(node, REGTEST);
    for (let h = 1; h <= 2; h++) await chain.submit(created.address as string, t0);
    const status = await wallet.json(["status"]);
    const rows = status.coins as Json[];
    assert.equal(rows.length, 2);
    // Block 2's coin (created at MTP t0) has about an hour left; block 1's counts from genesis.
    const window = Math.max(...rows.map((r) => r.emission_return_in_secs as number));
    assert.ok(window > 3000 && window <= REGTEST.emissionReturnAgeSecs, `window ${window}`);
    for (let h = 3; h <= 5; h++) await chain.submit(other, t0);
    const total = async () => {
      const b = await wallet.json(["balance"]);
      return BigInt(b.balance_resonances as number) + BigInt(b.immature_resonances as number);
    };
    const walletBefore = await total();

    // An hour and ten minutes later: the parent MTP (median of the last 11 timestamps) needs 6
    // blocks at the new time to get there, so the template offers no sweep for blocks 6–11;
    // block 12 sweeps the coinbases of blocks 1–2, the ones both old enough and mature.
    const later = t0 + REGTEST.emissionReturnAgeSecs + 600;
    await node.rpc("setmocktime", [later]);
    for (let h = 6; h <= 11; h++) {
      const offered = (await node.rpc<Json>("getminingtemplate")).transactions as unknown[];
      assert.deepEqual(offered, [], `no sweep offered for block ${h}`);
      await chain.submit(other, later);
    }
    const template = await node.rpc<Json>("getminingtemplate");
    const [first] = template.transactions as Json[];
    assert.ok(first, "the template offers a sweep");
    const sweep = decodeTx(fromHex(first.data as string), REGTEST.maxTxBytes);
    assert.equal(sweep.witnesses.length, 0);
    assert.deepEqual(sweep.outputs.map((o) => o.value), [0n]);
    const swept: { txid: string; vout: number; value: bigint; mine: boolean }[] = [];
    for (const i of sweep.inputs) {
      const out = await node.rpc<Json>("gettxout", [toHex(i.prevout.txid), i.prevout.vout]);
      swept.push({
        txid: toHex(i.prevout.txid),
        vout: i.prevout.vout,
        value: BigInt(out.value_resonances as number),
        mine: out.address === created.address,
      });
    }
    // Exactly the two wallet coins: blocks 3–5 are still immature.
    assert.deepEqual(swept.map((s) => s.mine), [true, true]);
    const sweptTotal = swept.reduce((s, c) => s + c.value, 0n);
    const sweptMine = swept.filter((s) => s.mine).reduce((s, c) => s + c.value, 0n);
    const infoBefore = await node.rpc<Json>("getblockchaininfo");
    const setBefore = await node.rpc<Json>("gettxoutsetinfo");

    const [hash] = await node.rpc<string[]>("generatetoaddress", [1, other]);
    const block = await node.rpc<Json>("getblock", [hash, 1]);
    assert.equal((block.tx as string[])[1], first.txid, "the block carries the template's sweep");
    for (const s of swept) assert.equal(await node.rpc("gettxout", [s.txid, s.vout]), null);
    const infoAfter = await node.rpc<Json>("getblockchaininfo");
    const setAfter = await node.rpc<Json>("gettxoutsetinfo");
    const minted = res(infoAfter.minted) - res(infoBefore.minted);
    assert.equal(res(infoAfter.returned) - res(infoBefore.returned), sweptTotal);
    assert.equal(
      res(infoAfter.circulating) - res(infoBefore.circulating),
      minted - sweptTotal,
    );
    assert.equal(
      BigInt(setAfter.total_amount_resonances as number) -
        BigInt(setBefore.total_amount_resonances as number),
      minted - sweptTotal,
    );
    assert.equal(res(setAfter.returned), res(infoAfter.returned));
    assert.equal(walletBefore - await total(), sweptMine);
    assert.equal(await total(), 0n);
  },
);
