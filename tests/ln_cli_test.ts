/**
 * `rnt ln invoice` and `rnt ln decode` as a user runs them: the real program in a subprocess,
 * a real key file, and the reason printed for each kind of bad invoice.
 */
import assert from "node:assert/strict";
import { bech32 } from "@scure/base";
import { keyPairFromSeed } from "../core/crypto/ed25519.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { encodeInvoice, paymentHashOf } from "../core/lightning/mod.ts";
import { runRnt, tempDir } from "./helpers.ts";

const SEED_HEX = "05".repeat(32);
const SEED = new Uint8Array(32).fill(5);

Deno.test("rnt ln invoice signs with the node key; rnt ln decode shows it (text and --json)", async () => {
  await using dir = await tempDir();
  await Deno.writeTextFile(`${dir.path}/node.key`, SEED_HEX + "\n");
  const preimage = "ab".repeat(32);
  const made = await runRnt([
    "ln",
    "invoice",
    "--regtest",
    "--datadir",
    dir.path,
    "--amount",
    "0.0025",
    "--description",
    "1 cup coffee",
    "--expiry",
    "600",
    "--preimage",
    preimage,
    "--json",
  ]);
  assert.equal(made.code, 0, made.stderr);
  const created = JSON.parse(made.stdout);
  assert.equal(created.preimage, preimage);
  assert.equal(created.payment_hash, toHex(paymentHashOf(new Uint8Array(32).fill(0xab))));
  assert.match(created.invoice, /^lnrrnt2500u1/);

  const text = await runRnt(["ln", "decode", "--regtest", created.invoice]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^amount: +0\.0025 RNT \(250000000 milli-resonances\)$/m);
  assert.match(text.stdout, /^description: +1 cup coffee$/m);
  assert.match(text.stdout, new RegExp(`^payee: +${toHex(keyPairFromSeed(SEED).publicKey)}$`, "m"));

  const json = await runRnt(["ln", "decode", "--regtest", "--json", created.invoice]);
  assert.equal(json.code, 0, json.stderr);
  const decoded = JSON.parse(json.stdout);
  assert.equal(decoded.network, "regtest");
  assert.equal(decoded.amount_milli_resonances, "250000000");
  assert.equal(decoded.amount_rnt, "0.0025");
  assert.equal(decoded.payment_hash, created.payment_hash);
  assert.equal(decoded.expiry_secs, 600);
  assert.equal(decoded.payee_key, toHex(keyPairFromSeed(SEED).publicKey));
});

Deno.test("rnt ln decode names what is wrong: checksum, network, signature, expiry", async () => {
  const now = Math.floor(Date.now() / 1000);
  const fields = {
    network: "regtest" as const,
    timestamp: now,
    paymentHash: new Uint8Array(32).fill(1),
    paymentSecret: new Uint8Array(32).fill(2),
    description: "tea",
  };
  const good = encodeInvoice(fields, SEED);
  const typo = good.slice(0, 30) + (good[30] === "q" ? "p" : "q") + good.slice(31);
  // Another payee key (n) under the same signature, with a valid checksum.
  const { prefix, words } = bech32.decode(good as `${string}1${string}`, false);
  const tampered = [...words];
  tampered[tampered.length - 120]! ^= 1;
  const forged = bech32.encode(prefix, tampered, false);
  const expired = encodeInvoice({ ...fields, timestamp: now - 7200, expirySecs: 60 }, SEED);
  const cases: [string[], RegExp][] = [
    [["--regtest", typo], /checksum is wrong/],
    [[good], /is for regtest \(lnrrnt\), not mainnet \(decode it with --regtest\)/],
    [["--testnet", good], /not testnet/],
    [["--regtest", forged], /signature does not verify/],
    [["--regtest", expired], /expired at /],
    [["--regtest", "lnbc1qqqqqqqq"], /invalid invoice/],
  ];
  for (const [args, message] of cases) {
    const r = await runRnt(["ln", "decode", ...args]);
    assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, "");
  }
  const noArg = await runRnt(["ln", "decode"]);
  assert.equal(noArg.code, 2);
  assert.match(noArg.stderr, /usage: rnt ln decode INVOICE/);
});

Deno.test("rnt ln invoice without a node key says where it looked", async () => {
  await using dir = await tempDir();
  const r = await runRnt([
    "ln",
    "invoice",
    "--regtest",
    "--datadir",
    dir.path,
    "--description",
    "x",
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no node key at .*node\.key/);
  const bad = await runRnt([
    "ln",
    "invoice",
    "--regtest",
    "--datadir",
    dir.path,
    "--description",
    "x",
    "--amount",
    "1.000000000001",
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /at most 11 decimals/);
});

Deno.test("rnt ln channel commands refuse bad arguments (exit 2) and say when the node is not answering (exit 1)", async () => {
  await using dir = await tempDir();
  const net = ["--regtest", "--datadir", dir.path, "--rpcport", "1"];
  const usage = [
    ["open", "aa".repeat(32), "1.123456789"],
    ["open", "aa".repeat(32)],
    ["close", "not-hex"],
    ["forceclose"],
    ["pay"],
    ["addinvoice", "--amount", "-1"],
    ["graph", "extra"],
    ["backup"],
    ["restore"],
  ];
  for (const args of usage) {
    const r = await runRnt(["ln", ...args, ...net]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
  }
  const down = await runRnt(["ln", "channels", ...net]);
  assert.equal(down.code, 1);
  assert.match(
    down.stderr,
    /the node is not answering at 127\.0\.0\.1:1 \(start it with 'rnt node --regtest/,
  );
  const help = await runRnt(["ln", "forceclose", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /to_self_delay/);
  const graphHelp = await runRnt(["ln", "graph", "--help"]);
  assert.equal(graphHelp.code, 0);
  assert.match(graphHelp.stdout, /channel_update/);
  const hintsHelp = await runRnt(["ln", "addinvoice", "--help"]);
  assert.match(hintsHelp.stdout, /--no-hints/);
});
