import assert from "node:assert/strict";
import { toHex } from "../crypto/keccak.ts";
import { REGTEST } from "../consensus/params.ts";
import { Wallet } from "./wallet.ts";
import {
  decodeWalletFile,
  encodeWalletFile,
  loadWalletFile,
  saveWalletFile,
} from "./wallet_data.ts";
import { deriveSlip10, walletKeyPath } from "./slip10.ts";
import { mnemonicToSeed } from "./mnemonic.ts";
import {
  decryptWalletBytes,
  DEFAULT_KDF,
  encryptWalletBytes,
  readWalletFileHeader,
  unlockWalletBytes,
  WALLET_HEADER_BYTES,
  WalletFileKey,
} from "./wallet_file.ts";
import { WalletFileError } from "./wallet_errors.ts";

const WEAK = { kdf: { memoryKiB: 64, iterations: 1, parallelism: 1 }, allowWeakKdf: true };
const LIMITS = { limits: { maxMemoryKiB: 1024, maxIterations: 4, maxParallelism: 2 } };
const WORDS = "legal winner thank year wave sausage worth useful legal winner thank year " +
  "wave sausage worth useful legal winner thank year wave sausage worth title";

function sampleWallet(): Wallet {
  const w = Wallet.fromMnemonic(REGTEST, WORDS, "extra words");
  w.newAddress({ kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } }, {
    label: "savings",
  });
  w.newAddress({ kind: "heartbeat", intervalSecs: 60, recovery: { type: "own" } }, {
    change: true,
  });
  return w;
}

async function expectFileError(p: Promise<unknown>, reason: string) {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof WalletFileError, String(e));
    assert.equal(e.reason, reason, e.message);
    return true;
  });
}

Deno.test("encodeWalletFile() round-trips the wallet and Wallet.fromData() re-derives it", async () => {
  const w = sampleWallet();
  const file = await encodeWalletFile(w.toData(), "file pass", WEAK);
  const data = await decodeWalletFile(file, "file pass");
  assert.deepEqual(data, w.toData());
  const back = Wallet.fromData(data);
  assert.deepEqual(back.addresses().map((a) => a.address), w.addresses().map((a) => a.address));
  assert.equal(back.addresses()[0]!.label, "savings");
});

Deno.test("wallet file holds no secret in plaintext", async () => {
  const w = sampleWallet();
  const file = await encodeWalletFile(w.toData(), "file pass", WEAK);
  const text = new TextDecoder("latin1").decode(file);
  const hex = toHex(file);
  for (const word of new Set(WORDS.split(" "))) assert.ok(!text.includes(word), word);
  assert.ok(!text.includes("extra words"));
  const seed = mnemonicToSeed(WORDS, "extra words");
  for (const a of w.addresses()) {
    const key = deriveSlip10(seed, walletKeyPath(a.account, a.branch, a.index)).privateKey;
    assert.ok(!hex.includes(toHex(key)));
    assert.ok(!text.includes(a.address)); // even public data is encrypted
  }
  assert.ok(!hex.includes(toHex(seed).slice(0, 32)));
});

Deno.test("decryptWalletBytes() refuses a wrong passphrase with bad-mac", async () => {
  const file = await encryptWalletBytes(new Uint8Array(100), "right", WEAK);
  await expectFileError(decryptWalletBytes(file, "wrong"), "bad-mac");
  await expectFileError(decryptWalletBytes(file, ""), "bad-mac");
});

Deno.test("decryptWalletBytes() detects a flipped bit at every offset", async () => {
  const file = await encryptWalletBytes(new TextEncoder().encode("x".repeat(40)), "pw", WEAK);
  const reasons = new Set<string>();
  for (let i = 0; i < file.length; i++) {
    const bad = file.slice();
    bad[i]! ^= 1 << (i % 8);
    await assert.rejects(decryptWalletBytes(bad, "pw", LIMITS), (e) => {
      assert.ok(e instanceof WalletFileError, `offset ${i}: ${e}`);
      reasons.add(e.reason);
      return true;
    });
  }
  assert.ok(reasons.has("bad-mac") && reasons.has("bad-magic"));
});

Deno.test("decryptWalletBytes() reports truncation", async () => {
  const file = await encryptWalletBytes(new Uint8Array(50), "pw", WEAK);
  for (const n of [0, 5, WALLET_HEADER_BYTES, WALLET_HEADER_BYTES + 40, file.length - 1]) {
    await assert.rejects(decryptWalletBytes(file.slice(0, n), "pw"), WalletFileError);
  }
  await expectFileError(decryptWalletBytes(file.slice(0, file.length - 1), "pw"), "truncated");
  await expectFileError(decryptWalletBytes(file.slice(0, file.length - 16), "pw"), "bad-mac");
});

Deno.test("readWalletFileHeader() refuses unsupported versions and absurd KDF parameters", async () => {
  const file = await encryptWalletBytes(new Uint8Array(10), "pw", WEAK);
  const patch = (at: number, v: number, bytes: 1 | 2 | 4) => {
    const f = file.slice();
    const dv = new DataView(f.buffer);
    if (bytes === 1) f[at] = v;
    else if (bytes === 2) dv.setUint16(at, v, true);
    else dv.setUint32(at, v, true);
    return f;
  };
  await expectFileError(decryptWalletBytes(patch(9, 2, 2), "pw"), "unsupported-version");
  await expectFileError(decryptWalletBytes(patch(11, 7, 1), "pw"), "unsupported-kdf");
  // 64 GiB of memory, 1e6 passes, 0 lanes, 1000 lanes: refused before the KDF runs.
  for (const [at, v] of [[12, 64 * 1024 * 1024], [16, 1_000_000], [20, 0], [20, 1000], [12, 0]]) {
    const t0 = performance.now();
    await expectFileError(decryptWalletBytes(patch(at!, v!, 4), "pw"), "bad-kdf-params");
    assert.ok(performance.now() - t0 < 1000);
  }
  assert.deepEqual(readWalletFileHeader(file).kdf, WEAK.kdf);
});

Deno.test("encryptWalletBytes() refuses weak KDF parameters unless asked", async () => {
  await assert.rejects(encryptWalletBytes(new Uint8Array(1), "pw", { kdf: WEAK.kdf }), RangeError);
});

Deno.test("saveWalletFile() writes atomically with mode 600; a failed save leaves the old file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/wallet.dat`;
  const w = sampleWallet();
  await saveWalletFile(path, w.toData(), "pw", WEAK);
  if (Deno.build.os !== "windows") assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  const before = await Deno.readFile(path);
  await assert.rejects(saveWalletFile(path, w.toData(), "pw", { kdf: WEAK.kdf }), RangeError);
  assert.deepEqual(await Deno.readFile(path), before);
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["wallet.dat"]);
  await expectFileError(loadWalletFile(path, "nope"), "bad-mac");
  assert.deepEqual(await loadWalletFile(path, "pw"), w.toData());
  await Deno.remove(dir, { recursive: true });
});

Deno.test("wallet file with the real parameters (Argon2id 64 MiB, t = 3) opens", async () => {
  const w = sampleWallet();
  const file = await encodeWalletFile(w.toData(), "real pass");
  assert.deepEqual(readWalletFileHeader(file).kdf, DEFAULT_KDF);
  assert.deepEqual(await decodeWalletFile(file, "real pass"), w.toData());
});

Deno.test("decryptWalletBytes() opens a file written by the earlier noble-KDF build (64 MiB, t = 3)", async () => {
  // testdata/legacy_noble_v1.rntwallet was written by encryptWalletBytes() before the KDF moved
  // to hash-wasm (noble argon2id), passphrase "pässphrase ﬁ" (NFKC applies), default parameters.
  const file = await Deno.readFile(
    new URL("./testdata/legacy_noble_v1.rntwallet", import.meta.url),
  );
  assert.deepEqual(readWalletFileHeader(file).kdf, DEFAULT_KDF);
  const plain = await decryptWalletBytes(file, "pässphrase fi");
  assert.equal(
    new TextDecoder().decode(plain),
    "wallet file written by the noble-based KDF (format v1)",
  );
  await expectFileError(decryptWalletBytes(file, "passphrase fi"), "bad-mac");
});

Deno.test("unlockWalletBytes() key re-encrypts with the same header and a fresh IV, no KDF", async () => {
  const file = await encryptWalletBytes(new TextEncoder().encode("one"), "pw", WEAK);
  const { plaintext, key } = await unlockWalletBytes(file, "pw");
  assert.equal(new TextDecoder().decode(plaintext), "one");
  const again = await key.encrypt(new TextEncoder().encode("two"));
  assert.deepEqual(again.subarray(0, WALLET_HEADER_BYTES), file.subarray(0, WALLET_HEADER_BYTES));
  assert.notDeepEqual(
    again.subarray(WALLET_HEADER_BYTES, WALLET_HEADER_BYTES + 16),
    file.subarray(WALLET_HEADER_BYTES, WALLET_HEADER_BYTES + 16),
  );
  assert.equal(new TextDecoder().decode(await decryptWalletBytes(again, "pw")), "two");
  await expectFileError(decryptWalletBytes(again, "wrong"), "bad-mac");
  // Another file (other salt) under the same passphrase is not this key's.
  const other = await encryptWalletBytes(new Uint8Array(3), "pw", WEAK);
  await expectFileError(key.decrypt(other), "bad-mac");
  key.destroy();
  await assert.rejects(key.encrypt(new Uint8Array(1)), /destroyed/);
});

Deno.test("WalletFileKey.derive() gives the keys decryptWalletBytes() uses", async () => {
  const file = await encryptWalletBytes(new Uint8Array([5, 6]), "pw", WEAK);
  const h = readWalletFileHeader(file);
  const key = await WalletFileKey.derive("pw", h.kdf, h.salt);
  assert.deepEqual(await key.decrypt(file), new Uint8Array([5, 6]));
  key.destroy();
});
