/**
 * Heartbeat recovery through `rnt wallet` on a real regtest node under setmocktime: after a
 * missed heartbeat the recovery key (another wallet's guardian key) can sweep an old coin, while
 * coins the owner re-spent with `rnt wallet heartbeat` are refused to it (`timelock-not-met`);
 * `rnt wallet status` shows the recovery window open before the heartbeat.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { decodeAddress } from "../core/primitives/address.ts";
import { parsePolicy } from "../core/primitives/policy_text.ts";
import { encodeTx } from "../core/primitives/tx.ts";
import { signTx, Wallet, type WalletCoin } from "../core/wallet/wallet.ts";
import { gpuTest } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { TestWalletCli } from "./wallet_helpers.ts";
import { FixtureChain } from "./fixture_blocks.ts";

type Json = Record<string, unknown>;

function coinOf(row: Json): WalletCoin {
  return {
    outpoint: { txid: fromHex(row.txid as string), vout: row.vout as number },
    value: BigInt(row.value_resonances as number),
    address: decodeAddress(REGTEST, row.address as string),
    height: row.height as number,
    coinbase: row.coinbase as boolean,
    createdMtpSecs: row.created_mtp as number,
  };
}

gpuTest(
  "rnt wallet heartbeat keeps coins from the recovery key, which can sweep a coin the heartbeat missed",
  async () => {
    await using dir = await tempDir();
    await using node = await NodeProcess.start(`${dir.path}/node`);
    const t0 = Math.floor(Date.now() / 1000);
    await node.rpc("setmocktime", [t0]);
    const heir = new TestWalletCli(node, dir.path, "heir");
    const owner = new TestWalletCli(node, dir.path, "owner");
    await heir.setPassphrase("heir pass");
    await owner.setPassphrase("owner pass");
    const heirCreated = await heir.json(["create", "--insecure-fast-kdf"]);
    const recoveryKey = (await heir.json(["guardian", "key"])).public_key as string;
    const created = await owner.json([
      "create",
      "--insecure-fast-kdf",
      "--recovery",
      `heartbeat:60:${recoveryKey}`,
    ]);
    const policy = parsePolicy(created.policy as string);

    // Block 1 at t0: its coinbase counts as created at genesis time (the MTP of its parent),
    // months ago: past the heartbeat interval and the emission-return age. Blocks 2..11 an
    // 1000 s later: coin 2 (created at MTP t0) is past the 60 s interval. (Real checkpoints, not
    // trained here: tests/fixture_blocks.ts; so is the block that confirms the spends below.)
    await node.rpc("setmocktime", [t0 + 1000]);
    const chain = await FixtureChain.start(node, REGTEST);
    await chain.extend(created.address as string, 11, (height) => height === 1 ? t0 : t0 + 1000);
    const status = await owner.json(["status"]);
    const rows = status.coins as Json[];
    assert.equal(rows.length, 11);
    const byHeight = async (h: number) =>
      (await node.rpc<Json[]>("listunspentbyaddress", [[created.address]]))
        .find((r) => r.height === h)!;
    const [c1, c2, c3] = [await byHeight(1), await byHeight(2), await byHeight(3)];
    const statusOf = (c: Json) => rows.find((r) => r.txid === c.txid)!;
    assert.equal(statusOf(c1).recovery_opens_in_secs, 0);
    assert.equal(statusOf(c1).emission_return_in_secs, 0);
    assert.equal(statusOf(c2).recovery_opens_in_secs, 0);
    assert.ok((statusOf(c2).emission_return_in_secs as number) > 0);
    assert.ok(rows.some((r) => (r.recovery_opens_in_secs as number) > 0));

    // The heir (recovery key) sweeps coin 1: the owner missed its heartbeat.
    const heirWallet = Wallet.fromMnemonic(REGTEST, heirCreated.mnemonic as string);
    const secretKey = heirWallet.guardianSecretKey(0);
    const to = decodeAddress(REGTEST, heirCreated.address as string);
    const sweep = (row: Json) => {
      const coin = coinOf(row);
      const tx = signTx(REGTEST, [coin], [{ value: coin.value - 2000n, address: to }], 0, [
        { policy, secretKey },
      ]);
      return node.rpc<string>("sendrawtransaction", [toHex(encodeTx(tx))]);
    };
    const swept = await sweep(c1);

    // The owner's heartbeat re-spends the other mature coin (2) to its own address.
    const beat = await owner.json(["heartbeat"]);
    assert.equal(beat.coins, 1);
    assert.deepEqual(
      new Set(await node.rpc<string[]>("getrawmempool")),
      new Set([swept, beat.txid]),
    );
    await chain.submit(heirCreated.address as string, t0 + 1000, { mempool: true });
    assert.deepEqual(await node.rpc("getrawmempool"), []);
    const fresh = (await node.rpc<Json[]>("listunspentbyaddress", [[created.address]]))
      .find((r) => r.txid === beat.txid)!;
    assert.ok(fresh);
    const afterStatus = await owner.json(["status"]);
    const freshStatus = (afterStatus.coins as Json[]).find((r) => r.txid === beat.txid)!;
    assert.ok((freshStatus.recovery_opens_in_secs as number) > 0);

    // The heartbeat output is refused to the recovery key; coin 3, never heartbeated, is not.
    await assert.rejects(() => sweep(fresh), /timelock-not-met/);
    await sweep(c3);
  },
);
