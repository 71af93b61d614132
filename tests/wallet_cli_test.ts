/**
 * `rnt wallet` against a real regtest node: create, mine to it, send with change, history,
 * recover from the 24 words (same addresses and balance), backup/restore (the failures of the
 * file commands are in `wallet_file_cli_test.ts`, which needs no node).
 *
 * @module
 */
import assert from "node:assert/strict";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { TestWalletCli } from "./wallet_helpers.ts";
import { gpuTest } from "../gpu/testing.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { submitFixtureBlocks } from "./fixture_blocks.ts";

type Json = Record<string, unknown>;
const total = (b: Json) =>
  BigInt(b.balance_resonances as string) + BigInt(b.immature_resonances as string) +
  BigInt(b.unconfirmed_resonances as string);

gpuTest(
  "rnt wallet: create, receive mined coins, send with change, history, recover from words to the same addresses and balance, backup and restore",
  async () => {
    await using dir = await tempDir();
    await using node = await NodeProcess.start(`${dir.path}/node`);
    const now = Math.floor(Date.now() / 1000);
    await node.rpc("setmocktime", [now]);
    const a = new TestWalletCli(node, dir.path, "a");
    const b = new TestWalletCli(node, dir.path, "b");
    await a.setPassphrase("correct horse battery staple");
    await b.setPassphrase("another one");
    const created = await a.json(["create", "--insecure-fast-kdf", "--recovery", "heartbeat:600"]);
    const words = (created.mnemonic as string).split(" ");
    assert.equal(words.length, 24);
    assert.deepEqual((created.recovery as Json).intervalSecs, 600);
    const b0 = (await b.json(["create", "--insecure-fast-kdf"])).address as string;
    // A second create over an existing file is refused.
    const again = await a.run(["create", "--insecure-fast-kdf"]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);

    // 11 blocks to A (real checkpoints, not trained here: tests/fixture_blocks.ts): two
    // coinbases mature (maturity 10), nine immature.
    await submitFixtureBlocks(node, REGTEST, {
      to: created.address as string,
      count: 11,
      timeSecs: () => now,
    });
    const bal = await a.json(["balance"]);
    const coins = await node.rpc<Json[]>("listunspentbyaddress", [[created.address]]);
    assert.equal(coins.length, 11);
    const minted = coins.reduce((s, c) => s + BigInt(c.value_resonances as number), 0n);
    assert.equal(total(bal), minted);
    const matureSum = coins.filter((c) => (c.height as number) <= 2)
      .reduce((s, c) => s + BigInt(c.value_resonances as number), 0n);
    assert.equal(BigInt(bal.balance_resonances as string), matureSum);

    // A new address keeps the wallet's default policy.
    const a1 = await a.json(["address"]);
    assert.deepEqual(a1.recovery, created.recovery);

    // Send 1.5 RNT to B: B sees it unconfirmed, then confirmed after a block.
    const sent = await a.json(["send", b0, "1.5", "--yes"]);
    assert.ok(typeof sent.change_address === "string");
    assert.deepEqual(await node.rpc("getrawmempool"), [sent.txid]);
    assert.equal((await b.json(["balance"])).unconfirmed_resonances, "150000000");
    await node.rpc("generatetoaddress", [1, created.address]);
    assert.equal((await b.json(["balance"])).balance_resonances, "150000000");
    const history = await a.json<Json[]>(["history"]);
    const spend = history.find((h) => h.txid === sent.txid)!;
    assert.equal(
      BigInt(spend.amount_resonances as string),
      -(150_000_000n + BigInt(sent.fee_resonances as string)),
    );
    assert.equal(history.filter((h) => h.coinbase).length, 12);
    const balA = await a.json(["balance"]);

    // Recover from the 24 words: the same used addresses (receive 0, 1 unused is dropped,
    // change 0) and the same balance.
    const c = new TestWalletCli(node, dir.path, "c");
    await c.setPassphrase("new passphrase");
    await Deno.writeTextFile(`${dir.path}/words`, created.mnemonic + "\n");
    const rec = await c.json([
      "recover",
      "--insecure-fast-kdf",
      "--mnemonic-file",
      `${dir.path}/words`,
      "--recovery",
      "heartbeat:600",
    ]);
    assert.deepEqual(rec.addresses, [created.address, sent.change_address]);
    assert.equal(BigInt(rec.balance_resonances as string), total(balA));
    assert.deepEqual(await c.json(["balance"]), balA);

    // Backup, restore into a new file: same balance.
    const backup = `${dir.path}/backup.dat`;
    await a.json(["backup", backup]);
    const d = new TestWalletCli(node, dir.path, "d");
    await d.setPassphrase("correct horse battery staple");
    await d.json(["restore", backup]);
    assert.deepEqual(await d.json(["balance"]), balA);
  },
);
