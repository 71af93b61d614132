/**
 * `rnt wallet` on a real terminal (a pseudo-terminal from util-linux `script`): a new
 * passphrase typed differently twice is asked again, an empty one must be confirmed; `send`
 * shows amount, fee and total and sends only on "y".
 *
 * @module
 */
import assert from "node:assert/strict";
import { gpuTest } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { hasScript, runOnTerminal } from "./terminal_helpers.ts";
import { TestWalletCli } from "./wallet_helpers.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { submitFixtureBlocks } from "./fixture_blocks.ts";

Deno.test({
  name:
    "rnt wallet create on a terminal: a passphrase mismatch is asked again, an empty one confirmed",
  ignore: !hasScript(),
  fn: async () => {
    await using dir = await tempDir();
    const d = dir.path;
    const base = ["wallet", "create", "--regtest", "--datadir", d, "--insecure-fast-kdf"];
    const retried = await runOnTerminal([...base, "--wallet", `${d}/a.dat`], [
      [/New wallet passphrase: /, "XQ#1"],
      [/Repeat the passphrase: /, "XQ#2"],
      [/differ; try again\n+New wallet passphrase: /, "pw"],
      [/Repeat the passphrase: /, "pw"],
    ]);
    assert.equal(retried.code, 0, retried.screen);
    assert.match(retried.screen, / 1\. [a-z]+ +2\. /);
    // Upper case and "#": neither a bech32 address nor the word list can hold it by chance.
    assert.doesNotMatch(retried.screen, /XQ#[12]/); // typed with echo off
    const empty = await runOnTerminal([...base, "--wallet", `${d}/b.dat`], [
      [/New wallet passphrase: /, ""],
      [/readable by anyone[^\n]*\n+Use no passphrase\? \[y\/N\] /, "y"],
    ]);
    assert.equal(empty.code, 0, empty.screen);
    await Deno.stat(`${d}/b.dat`);
  },
});

gpuTest(
  "rnt wallet send on a terminal shows amount, fee and total and sends only on 'y'",
  async () => {
    if (!hasScript()) return;
    await using dir = await tempDir();
    await using node = await NodeProcess.start(`${dir.path}/node`);
    const now = Math.floor(Date.now() / 1000);
    await node.rpc("setmocktime", [now]);
    const a = new TestWalletCli(node, dir.path, "a");
    await a.setPassphrase("pw");
    const created = await a.json(["create", "--insecure-fast-kdf"]);
    // 11 coinbases, 2 of them mature (real checkpoints, not trained here).
    await submitFixtureBlocks(node, REGTEST, {
      to: created.address as string,
      count: 11,
      timeSecs: () => now,
    });
    const send = [
      "wallet",
      "send",
      created.address as string,
      "2",
      "--regtest",
      "--datadir",
      node.datadir,
      "--rpcport",
      String(node.rpcPort),
      "--wallet",
      a.file,
      "--password-file",
      a.passwordFile,
    ];
    const summary =
      /Send 2\.00000000 RNT to rrnt1\w+\nFee {2}0\.\d{8} RNT \(\d+ bytes\)\nTotal 2\.\d{8} RNT\nSend\? \[y\/N\] /;
    const declined = await runOnTerminal(send, [[summary, "n"]]);
    assert.equal(declined.code, 1, declined.screen);
    assert.match(declined.screen, /Not sent/);
    assert.deepEqual(await node.rpc("getrawmempool"), []);
    const accepted = await runOnTerminal(send, [[summary, "y"]]);
    assert.equal(accepted.code, 0, accepted.screen);
    const txid = accepted.screen.match(/^([0-9a-f]{64})$/m)?.[1];
    assert.deepEqual(await node.rpc("getrawmempool"), [txid]);
  },
);
