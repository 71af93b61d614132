/**
 * Social recovery through `rnt wallet` on a real regtest node: 2 of 3 guardians sign a new
 * owner's request, the old owner cancels it within the delay from a wallet recovered from its
 * 24 words that never saw the request (the cancel reveals only `pk(owner)`, PROTOCOL §5.7), a
 * second recovery cannot be claimed before the delay (`timelock-not-met`) and is claimed by the
 * new owner after it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { keyPairFromSeed } from "../core/crypto/ed25519.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { gpuTest } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { TestWalletCli } from "./wallet_helpers.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { FixtureChain } from "./fixture_blocks.ts";

type Json = Record<string, unknown>;

gpuTest(
  "rnt wallet social recovery: 2-of-3 guardians start it, the owner cancels it without the pending policy, another completes after the delay",
  async () => {
    await using dir = await tempDir();
    await using node = await NodeProcess.start(`${dir.path}/node`);
    const t0 = Math.floor(Date.now() / 1000);
    await node.rpc("setmocktime", [t0]);
    const wallet = async (name: string) => {
      const w = new TestWalletCli(node, dir.path, name);
      await w.setPassphrase(`${name} pass`);
      return w;
    };
    const [g1, g2, owner, heir, restored] = await Promise.all(
      ["g1", "g2", "owner", "heir", "restored"].map(wallet),
    );
    const guardianKey = async (g: TestWalletCli) => {
      await g.json(["create", "--insecure-fast-kdf"]);
      return (await g.json(["guardian", "key"])).public_key as string;
    };
    // Separate wallet files: set up side by side.
    const [heirCreated, k1, k2] = await Promise.all([
      heir!.json(["create", "--insecure-fast-kdf"]),
      guardianKey(g1!),
      guardianKey(g2!),
    ]);
    const heirAddress = heirCreated.address as string;
    const k3 = toHex(keyPairFromSeed(new Uint8Array(32).fill(7)).publicKey);
    const spec = `social:2:${k1},${k2},${k3}:10`;
    const created = await owner!.json(["create", "--insecure-fast-kdf", "--recovery", spec]);
    assert.equal((created.recovery as Json).kind, "social");
    // 11 blocks 100 s apart (mock time): the coinbases of heights 1 and 2 are mature, and
    // with timestamps 100 s apart the median time past moves 100 s a block. (Real checkpoints,
    // not trained here: tests/fixture_blocks.ts; so are the later blocks, which carry the
    // node's mempool as a mined block would.)
    await node.rpc("setmocktime", [t0 + 1100]);
    const chain = await FixtureChain.start(node, REGTEST);
    await chain.extend(created.address as string, 11, (height) => t0 + 100 * height);
    const mine = async (time: number) => {
      await node.rpc("setmocktime", [time]);
      await chain.submit(heirAddress, time, { mempool: true });
    };

    const startRecovery = async (file: string, tryOneSignature: boolean) => {
      const req = await heir!.json([
        "recover-social",
        "request",
        "--policy",
        created.policy as string,
        "--delay",
        "150",
        "--out",
        `${dir.path}/${file}`,
      ]);
      // Each guardian signs in its own wallet, side by side.
      await Promise.all([g1!, g2!].map((g, i) =>
        g.json([
          "guardian",
          "sign",
          "--request",
          `${dir.path}/${file}`,
          "--out",
          `${dir.path}/${file}.s${i + 1}`,
        ])
      ));
      if (tryOneSignature) {
        const one = await heir!.run([
          "recover-social",
          "finalize",
          "--request",
          `${dir.path}/${file}`,
          `${dir.path}/${file}.s1`,
        ]);
        assert.equal(one.code, 1);
        assert.match(one.stderr, /Need 2 guardian signatures, have 1/);
      }
      const fin = await heir!.json([
        "recover-social",
        "finalize",
        "--request",
        `${dir.path}/${file}`,
        `${dir.path}/${file}.s1`,
        `${dir.path}/${file}.s2`,
      ]);
      return { coin: req.coin as string, txid: fin.txid as string };
    };

    // First recovery, cancelled within the delay by the owner's wallet recovered from its words
    // into a new file: it has no request file and no copy of the pending policy.
    const first = await startRecovery("req1.json", true);
    await mine(t0 + 1200);
    await Deno.writeTextFile(`${dir.path}/owner.words`, `${created.mnemonic}\n`);
    await restored!.json([
      "recover",
      "--insecure-fast-kdf",
      "--mnemonic-file",
      `${dir.path}/owner.words`,
      "--recovery",
      spec,
      "--gap",
      "2",
    ]);
    const cancel = await restored!.json(["cancel-recovery"]);
    assert.deepEqual(cancel.cancelled, [`${first.txid}:0`]);
    const second = await startRecovery("req2.json", false);
    assert.notEqual(first.coin, second.coin);
    await mine(t0 + 1300);
    const ownerCoins = await node.rpc<Json[]>("listunspentbyaddress", [[cancel.address]]);
    assert.equal(ownerCoins.length, 1);
    assert.equal(ownerCoins[0]!.txid, cancel.txid);
    // The cancelled recovery can no longer be claimed; the second not before the delay.
    const gone = await heir!.run(["recover-social", "claim", "--request", `${dir.path}/req1.json`]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No confirmed pending-recovery output/);
    const early = await heir!.run([
      "recover-social",
      "claim",
      "--request",
      `${dir.path}/req2.json`,
    ]);
    assert.equal(early.code, 1);
    assert.match(early.stderr, /timelock-not-met/);

    // The pending output counts from MTP t0+700; the tip's MTP is t0+800 (100 s < 150 s).
    // One more block moves it to t0+900: the delay has passed and the new owner claims it.
    await mine(t0 + 1400);
    const claim = await heir!.json([
      "recover-social",
      "claim",
      "--request",
      `${dir.path}/req2.json`,
    ]);
    const pooled = await node.rpc<Json>("getrawtransaction", [claim.txid, true]);
    assert.equal((pooled.vin as Json[])[0]!.txid, second.txid);
    const bal = await heir!.json(["balance"]);
    assert.ok(BigInt(bal.unconfirmed_resonances as string) > 0n);
  },
);
