/**
 * `rnt wallet` for the people who run it, against a real regtest node: recovery forgives a
 * typo (word by word from a pipe, a suggestion, a retry; a checksum mismatch re-enters one
 * word), `send` shows amount, fee and total and will not send unasked from a script, amounts in
 * errors are in RNT.
 *
 * @module
 */
import assert from "node:assert/strict";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { TestWalletCli } from "./wallet_helpers.ts";
import { gpuTest } from "../gpu/testing.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { minerHeartbeatKey } from "../node/miner/miner_address.ts";
import { loadOrCreateMinerKey } from "../node/miner/miner_key.ts";
import { FixtureChain, submitFixtureBlocks } from "./fixture_blocks.ts";

type Json = Record<string, unknown>;

gpuTest(
  "rnt wallet: recover word by word with a typo and a checksum retry; send asks, refuses unasked from a pipe, reports in RNT",
  async () => {
    await using dir = await tempDir();
    await using node = await NodeProcess.start(`${dir.path}/node`);
    const now = Math.floor(Date.now() / 1000);
    await node.rpc("setmocktime", [now]);
    const a = new TestWalletCli(node, dir.path, "a");
    await a.setPassphrase("pw a");
    const created = await a.json(["create", "--insecure-fast-kdf"]);
    const words = (created.mnemonic as string).split(" ");
    // 11 coinbases to A, 2 of them mature (real checkpoints, not trained here).
    await submitFixtureBlocks(node, REGTEST, {
      to: created.address as string,
      count: 11,
      timeSecs: () => now,
    });
    const balA = await a.json(["balance"]);

    // Send from a pipe without --yes: the summary is shown, nothing is sent, exit 2.
    const unasked = await a.run(["send", created.address as string, "1.5"]);
    assert.equal(unasked.code, 2, unasked.stderr);
    assert.match(unasked.stderr, /Send 1\.50000000 RNT to /);
    assert.match(unasked.stderr, /Fee {2}0\.\d{8} RNT/);
    assert.match(unasked.stderr, /Total 1\.5\d{7} RNT/);
    assert.match(unasked.stderr, /add --yes/);
    assert.deepEqual(await node.rpc("getrawmempool"), []);
    // More than the wallet holds: the error is in RNT, not base units.
    const tooMuch = await a.run(["send", created.address as string, "100000", "--yes"]);
    assert.equal(tooMuch.code, 1);
    assert.match(
      tooMuch.stderr,
      /have \d+\.\d{8} RNT spendable, need 100000\.00000000 RNT \+ fee 0\.\d{8} RNT/,
    );

    // Recover word by word: word 3 mistyped (a suggestion, then the right word), word 5 and a later one
    // swapped with a later one (a checksum mismatch), then both re-entered by number.
    const typo = words[2]!.slice(0, -1) + (words[2]!.endsWith("x") ? "y" : "x");
    const k = words.findIndex((w, i) => i > 4 && w !== words[4]); // a word unlike word 5
    const swapped = [...words];
    [swapped[4], swapped[k]] = [words[k]!, words[4]!];
    const lines = [
      ...swapped.slice(0, 2),
      typo,
      ...swapped.slice(2),
      "5",
      words[4]!,
      String(k + 1),
      words[k]!,
    ];
    const b = new TestWalletCli(node, dir.path, "b");
    await b.setPassphrase("pw b");
    const rec = await b.run(["recover", "--insecure-fast-kdf", "--json"], lines.join("\n") + "\n");
    if (words[4] !== words[5]) {
      assert.equal(rec.code, 0, rec.stderr);
      assert.match(rec.stderr, /word 3 of 24: /);
      assert.match(
        rec.stderr,
        new RegExp(`Word 3 '${typo}' is not in the BIP39 English word list`),
      );
      assert.match(rec.stderr, /did you mean '/);
      assert.match(rec.stderr, /checksum does not match/);
      assert.equal((JSON.parse(rec.stdout) as Json).balance_resonances, total(balA));
    }

    // All 24 words on one line from a pipe still work; a bad one there fails at once.
    const c = new TestWalletCli(node, dir.path, "c");
    await c.setPassphrase("pw c");
    const oneLine = await c.run(
      ["recover", "--insecure-fast-kdf", "--json"],
      words.join(" ") + "\n",
    );
    assert.equal(oneLine.code, 0, oneLine.stderr);
    assert.deepEqual(await c.json(["balance"]), balA);
    const d = new TestWalletCli(node, dir.path, "d");
    await d.setPassphrase("pw d");
    const bad = await d.run(
      ["recover", "--insecure-fast-kdf"],
      [typo, ...words.slice(1)].join(" ") + "\n",
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /word 1 is not in the BIP39/);

    // Input that ends mid-way fails and writes no wallet.
    const e = new TestWalletCli(node, dir.path, "e");
    await e.setPassphrase("pw e");
    const short = await e.run(
      ["recover", "--insecure-fast-kdf"],
      words.slice(0, 3).join("\n") + "\n",
    );
    assert.equal(short.code, 1);
    assert.match(short.stderr, /Input ended before word 4/);
    await assert.rejects(() => Deno.stat(e.file), Deno.errors.NotFound);
  },
);

function total(b: Json): string {
  return String(
    BigInt(b.balance_resonances as string) + BigInt(b.immature_resonances as string) +
      BigInt(b.unconfirmed_resonances as string),
  );
}

gpuTest(
  "rnt wallet sweep-miner-key: the mature coins of miner.key's heartbeat address move to the wallet",
  async () => {
    await using dir = await tempDir();
    await using node = await NodeProcess.start(`${dir.path}/node`);
    const now = Math.floor(Date.now() / 1000);
    await node.rpc("setmocktime", [now]);
    const w = new TestWalletCli(node, dir.path, "w");
    await w.setPassphrase("pw");
    await w.json(["create", "--insecure-fast-kdf"]);
    const minerAddress = minerHeartbeatKey(REGTEST, await loadOrCreateMinerKey(node.datadir))
      .address;
    // 12 coinbases to the miner key's address (real checkpoints, not trained here:
    // tests/fixture_blocks.ts; so is the block that confirms the sweep).
    const chain = await FixtureChain.start(node, REGTEST);
    await chain.extend(minerAddress, 12, () => now);
    const coins = await node.rpc<Json[]>("listunspentbyaddress", [[minerAddress]]);
    // Next block is 13; maturity 10: coins of heights ≤ 3 are spendable.
    const mature = coins.filter((c) => (c.height as number) <= 13 - REGTEST.coinbaseMaturity);
    const sum = mature.reduce((s, c) => s + BigInt(c.value_resonances as number), 0n);
    const swept = await w.json(["sweep-miner-key"]);
    assert.equal(swept.coins, mature.length);
    assert.equal(swept.left_immature, coins.length - mature.length);
    assert.equal(
      BigInt(swept.amount_resonances as string) + BigInt(swept.fee_resonances as string),
      sum,
    );
    assert.deepEqual(await node.rpc("getrawmempool"), [swept.txid]);
    await chain.submit(minerAddress, now, { mempool: true });
    assert.equal((await w.json(["balance"])).balance_resonances, swept.amount_resonances);
  },
);
