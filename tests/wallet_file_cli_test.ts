/**
 * `rnt wallet` commands that need no node (no GPU either), and `rnt node --wallet`: create, address, guardian key,
 * backup and restore, and the failures that must exit 1 without writing anything: an existing
 * wallet, a wrong passphrase, a tampered backup, `--insecure-fast-kdf` off regtest.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { decodeWallet, readWalletBytes } from "../node/wallet/store.ts";
import { freePort, runRnt, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

Deno.test.sanitizer({ ops: true, resources: true });

async function wallet(dir: string, args: string[], name = "w", pass = "pw") {
  await Deno.writeTextFile(`${dir}/${name}.pass`, pass + "\n");
  return await runRnt([
    "wallet",
    ...args,
    "--regtest",
    "--datadir",
    dir,
    "--wallet",
    `${dir}/${name}.dat`,
    "--password-file",
    `${dir}/${name}.pass`,
  ]);
}

Deno.test("rnt wallet create, address, backup, restore; wrong passphrase and tampered backup exit 1 and write nothing", async () => {
  await using dir = await tempDir();
  const d = dir.path;
  const created = await wallet(d, ["create", "--insecure-fast-kdf", "--json"]);
  assert.equal(created.code, 0, created.stderr);
  const c = JSON.parse(created.stdout);
  assert.equal(c.mnemonic.split(" ").length, 24);
  assert.equal(c.recovery.kind, "heartbeat");
  assert.equal(c.recovery.intervalSecs, 900); // regtest default: emission-return age / 4
  const file = await readWalletBytes(`${d}/w.dat`);
  const opened = await decodeWallet(file, "pw", REGTEST);
  assert.equal(opened.wallet.mnemonic, c.mnemonic);
  assert.equal((await Deno.stat(`${d}/w.dat`)).mode! & 0o777, 0o600);

  // Human output shows the words once, with the address.
  const human = await wallet(d, ["create", "--insecure-fast-kdf"], "h");
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /Write down these 24 words/);
  assert.match(human.stdout, /Address: +rrnt1/);

  const again = await wallet(d, ["create", "--insecure-fast-kdf"]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already exists/);
  assert.deepEqual(await Deno.readFile(`${d}/w.dat`), file);

  const social = await wallet(d, [
    "address",
    "--json",
    "--recovery",
    `social:1:${"ff".repeat(32)}:10`,
  ]);
  assert.equal(social.code, 2, "a key that is not a curve point is a usage error");
  assert.match(social.stderr, /guardian key is not a valid Ed25519 public key|Ed25519/);
  const key = JSON.parse((await wallet(d, ["guardian", "key", "--json"], "h")).stdout).public_key;
  const a1 = await wallet(d, ["address", "--json", "--recovery", `social:1:${key}:10`]);
  assert.equal(a1.code, 0, a1.stderr);
  assert.equal(JSON.parse(a1.stdout).recovery.kind, "social");
  const a2 = JSON.parse((await wallet(d, ["address", "--json"])).stdout);
  assert.deepEqual(a2.recovery, c.recovery, "the default stays the first address's policy");

  // Backup and restore into a new file.
  const backup = await wallet(d, ["backup", `${d}/backup.dat`]);
  assert.equal(backup.code, 0, backup.stderr);
  const restored = await wallet(d, ["restore", `${d}/backup.dat`, "--json"], "r", "pw");
  assert.equal(restored.code, 0, restored.stderr);
  assert.equal(JSON.parse(restored.stdout).addresses, 3);

  // A tampered backup is refused and no wallet file appears.
  const bytes = await Deno.readFile(`${d}/backup.dat`);
  bytes[bytes.length - 40]! ^= 1;
  await Deno.writeFile(`${d}/tampered.dat`, bytes);
  const bad = await wallet(d, ["restore", `${d}/tampered.dat`], "t", "pw");
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Wrong passphrase or corrupted wallet file/);
  await assert.rejects(() => Deno.stat(`${d}/t.dat`), Deno.errors.NotFound);

  // A wrong passphrase: exit 1, the file unchanged.
  const before = await Deno.readFile(`${d}/w.dat`);
  const wrong = await wallet(d, ["address"], "w", "wrong");
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /Wrong passphrase/);
  assert.deepEqual(await Deno.readFile(`${d}/w.dat`), before);
});

Deno.test("rnt wallet refuses the test KDF off regtest and an empty passphrase (exit 2)", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/p`, "x\n");
  const off = await runRnt([
    "wallet",
    "create",
    "--testnet",
    "--insecure-fast-kdf",
    "--wallet",
    `${dir.path}/w.dat`,
    "--password-file",
    `${dir.path}/p`,
  ]);
  assert.equal(off.code, 2);
  assert.match(off.stderr, /regtest tests only/);
  const empty = await wallet(dir.path, ["create", "--insecure-fast-kdf"], "e", "");
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /must not be empty/);
  await assert.rejects(() => Deno.stat(`${dir.path}/e.dat`), Deno.errors.NotFound);
});

Deno.test("rnt node --wallet loads the wallet for the RPC methods; a wrong passphrase stops the node with exit 1", async () => {
  await using dir = await tempDir();
  const d = dir.path;
  const created = await wallet(d, ["create", "--insecure-fast-kdf", "--json"], "wallet", "pw");
  assert.equal(created.code, 0, created.stderr);
  const args = ["--wallet", "--wallet-password-file", `${d}/wallet.pass`];
  {
    await using node = NodeProcess.spawn(d, undefined, args);
    await node.ready();
    const info = await node.rpc<Record<string, unknown>>("getwalletinfo");
    assert.equal(info.addresses, 1);
    assert.equal(info.network, "regtest");
    const a = await node.rpc<string>("getnewaddress");
    assert.match(a, /^rrnt1/);
    assert.equal((await node.stop()).code, 0);
  }
  const reopened = await decodeWallet(await readWalletBytes(`${d}/wallet.dat`), "pw", REGTEST);
  assert.equal(reopened.wallet.addresses().length, 2);
  await Deno.writeTextFile(`${d}/wrong.pass`, "nope\n");
  await using bad = NodeProcess.spawn(d, undefined, [
    "--wallet",
    "--wallet-password-file",
    `${d}/wrong.pass`,
  ]);
  assert.equal((await bad.exited()).code, 1);
  assert.match(bad.log, /cannot load wallet .*Wrong passphrase/);
});

Deno.test("rnt wallet create numbers the 24 words and says when coins return to emission; balance with the node down says where it looked and how to start it", async () => {
  await using dir = await tempDir();
  const d = dir.path;
  const created = await wallet(d, ["create", "--insecure-fast-kdf"]);
  assert.equal(created.code, 0, created.stderr);
  const rows = created.stdout.split("\n").filter((l) =>
    /^\s*1?\d\. \w/.test(l) || /^2\d\. /.test(l)
  );
  assert.equal(rows.length, 6);
  assert.match(rows[0]!, /^ 1\. [a-z]+ +2\. [a-z]+ +3\. [a-z]+ +4\. [a-z]+$/);
  assert.match(rows[5]!, /^21\. [a-z]+ +22\. [a-z]+ +23\. [a-z]+ +24\. [a-z]+$/);
  assert.match(created.stdout, /coins unmoved for 1 hour return to emission/); // regtest: 3600 s
  const port = String(freePort());
  await Deno.writeTextFile(`${d}/w.pass`, "pw\n");
  const down = await runRnt([
    "wallet",
    "balance",
    "--regtest",
    "--datadir",
    d,
    "--rpcport",
    port,
    "--wallet",
    `${d}/w.dat`,
    "--password-file",
    `${d}/w.pass`,
  ]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, new RegExp(`node is not answering at 127\\.0\\.0\\.1:${port}`));
  assert.match(down.stderr, new RegExp(`rnt node --regtest --datadir ${d}`));
  // No miner key in the datadir: nothing to sweep, said before any node is asked.
  const noKey = await wallet(d, ["sweep-miner-key"]);
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, new RegExp(`no miner key at ${d}/miner.key`));
});
